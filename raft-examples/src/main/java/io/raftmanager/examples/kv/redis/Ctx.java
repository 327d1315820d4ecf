package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;

/**
 * What a command runs against: the store, the selected database, the time, and whether it may write.
 * In the log ({@code index > 0}) the time is the entry's leader timestamp and randomness is seeded by the
 * index, so every replica computes the same reply; in a read, the time is the serving node's clock (never
 * behind the applied entries), so a read never returns a key that had already expired.
 */
public final class Ctx {
    final Store store;
    int db;
    final long now;
    /** The log index being applied (the version written keys get), 0 in a read. */
    final long index;

    private SplittableRandom random;

    public Ctx(Store store, int db, long now, long index) {
        this.store = store;
        this.db = db;
        this.now = now;
        this.index = index;
    }

    boolean writable() {
        return index > 0;
    }

    SplittableRandom random() {
        if (random == null) {
            random = index > 0 ? new SplittableRandom(index) : new SplittableRandom();
        }
        return random;
    }

    Entry get(ByteString key) {
        return store.get(db, Key.of(key), now);
    }

    Entry get(Key key) {
        return store.get(db, key, now);
    }

    /** Writes a value, keeping no expiry. */
    void put(ByteString key, Object value) {
        put(Key.of(key), value, 0);
    }

    void put(Key key, Object value, long expireAt) {
        check();
        store.put(db, key, new Entry(value, expireAt, index));
    }

    /** Writes a value over an existing live entry, keeping its expiry. */
    void update(Key key, Entry old, Object value) {
        put(key, value, old == null ? 0 : old.expireAt());
    }

    /** Deletes a live key; an expired one counts as missing (and is removed too). */
    boolean delete(Key key) {
        check();
        Entry e = store.raw(db, key);
        if (e == null) {
            return false;
        }
        store.remove(db, key);
        return !e.expiredAt(now);
    }

    private void check() {
        if (!writable()) {
            throw new IllegalStateException("a read-only command tried to write");
        }
    }
}
