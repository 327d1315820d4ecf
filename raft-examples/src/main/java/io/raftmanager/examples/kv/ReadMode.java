package io.raftmanager.examples.kv;

import io.raftmanager.ReadConsistency;
import java.util.Locale;
import java.util.Optional;

/** The per-connection read consistency chosen with {@code READMODE}; LINEARIZABLE by default. */
public enum ReadMode {
    LINEARIZABLE(ReadConsistency.LINEARIZABLE),
    LEASE(ReadConsistency.LEASE),
    FOLLOWER(ReadConsistency.FOLLOWER),
    STALE(ReadConsistency.STALE);

    private final ReadConsistency consistency;

    ReadMode(ReadConsistency consistency) {
        this.consistency = consistency;
    }

    /** The library's consistency level this mode maps to. */
    public ReadConsistency consistency() {
        return consistency;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ReadMode> parse(String s) {
        for (ReadMode m : values()) {
            if (m.wireName().equalsIgnoreCase(s)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
