package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pcollections.PSortedSet;
import org.pcollections.TreePSet;

/**
 * The replicated Redis data: numbered databases of {@link KeyMap}s ({@link Key} to {@link Entry}), the
 * clock (the largest leader timestamp applied) and, per database, an index of the keys that carry an
 * expiry so the leader can find the expired ones. Touched only on the applier thread.
 *
 * <p>A {@link KeyMap} makes a snapshot O(1) (taken between two applies) while a write edits in place; see
 * the README for the measured cost.
 */
public final class Store {
    /** An expiry index entry: when, and which key. */
    record Expiry(long at, Key key) {}

    static final java.util.Comparator<Expiry> EXPIRY_ORDER = (a, b) -> {
        int c = Long.compare(a.at, b.at);
        return c != 0 ? c : Key.ORDER.compare(a.key, b.key);
    };

    private final List<KeyMap<Entry>> dbs;
    private final List<PSortedSet<Expiry>> expiries;
    private long clock;

    public Store(int databases) {
        if (databases < 1) {
            throw new IllegalArgumentException("at least one database, was " + databases);
        }
        dbs = new ArrayList<>(databases);
        expiries = new ArrayList<>(databases);
        for (int i = 0; i < databases; i++) {
            dbs.add(emptyDb());
            expiries.add(TreePSet.empty(EXPIRY_ORDER));
        }
    }

    static KeyMap<Entry> emptyDb() {
        return new KeyMap<>();
    }

    public int databases() {
        return dbs.size();
    }

    /** The largest leader timestamp applied so far (milliseconds); never goes backwards. */
    public long clock() {
        return clock;
    }

    /** Moves the clock to a leader timestamp; an older one (a new leader whose clock lags) is ignored. */
    public void advanceClock(long leaderMillis) {
        clock = Math.max(clock, leaderMillis);
    }

    /** The live database: read it on the applier thread only, and never while writing. */
    public KeyMap<Entry> db(int db) {
        return dbs.get(db);
    }

    /** The entry, expired or not, or null. */
    Entry raw(int db, Key key) {
        return dbs.get(db).get(key);
    }

    /** The live entry at {@code now}, or null if missing or expired. */
    public Entry get(int db, Key key, long now) {
        Entry e = dbs.get(db).get(key);
        return e == null || e.expiredAt(now) ? null : e;
    }

    void put(int db, Key key, Entry e) {
        Entry old = dbs.get(db).put(key, e);
        reindex(db, key, old, e);
    }

    /** Removes the key (live or expired); true if there was an entry. */
    boolean remove(int db, Key key) {
        Entry old = dbs.get(db).remove(key);
        if (old == null) {
            return false;
        }
        reindex(db, key, old, null);
        return true;
    }

    private void reindex(int db, Key key, Entry old, Entry now) {
        long was = old == null ? 0 : old.expireAt();
        long is = now == null ? 0 : now.expireAt();
        if (was == is) {
            return;
        }
        if (was != 0) {
            expiries.set(db, expiries.get(db).minus(new Expiry(was, key)));
        }
        if (is != 0) {
            expiries.set(db, expiries.get(db).plus(new Expiry(is, key)));
        }
    }

    void flush(int db) {
        dbs.set(db, emptyDb());
        expiries.set(db, TreePSet.empty(EXPIRY_ORDER));
    }

    void swap(int a, int b) {
        java.util.Collections.swap(dbs, a, b);
        java.util.Collections.swap(expiries, a, b);
    }

    /** The version WATCH compares: the entry's, or 0 when the key is missing or expired at {@code now}. */
    public long version(int db, Key key, long now) {
        Entry e = get(db, key, now);
        return e == null ? 0 : e.version();
    }

    /** Up to {@code limit} keys of {@code db} expired at {@code now}, oldest expiry first. */
    public List<ByteString> expired(int db, long now, int limit) {
        List<ByteString> out = new ArrayList<>();
        for (Expiry x : expiries.get(db)) {
            if (x.at >= now || out.size() >= limit) {
                break;
            }
            out.add(x.key.bytes);
        }
        return out;
    }

    /**
     * A private copy of the whole store that a script may write without touching this one (each database
     * is a snapshot thawed for writing: O(1)). Call it on the thread that writes this store.
     */
    Store fork() {
        Store f = new Store(dbs.size());
        for (int i = 0; i < dbs.size(); i++) {
            f.dbs.set(i, dbs.get(i).snapshot().thaw());
            f.expiries.set(i, expiries.get(i));
        }
        f.clock = clock;
        return f;
    }

    /** A frozen point-in-time copy of every database (O(1) each), readable from any thread. */
    public List<KeyMap<Entry>> view() {
        List<KeyMap<Entry>> out = new ArrayList<>(dbs.size());
        for (KeyMap<Entry> db : dbs) {
            out.add(db.snapshot());
        }
        return out;
    }

    /** Replaces everything with restored databases and clock; rebuilds the expiry indexes. */
    public void restore(List<KeyMap<Entry>> restored, long restoredClock) {
        if (restored.size() != dbs.size()) {
            throw new IllegalArgumentException(
                    "snapshot has " + restored.size() + " databases, this node is configured with " + dbs.size());
        }
        for (int i = 0; i < dbs.size(); i++) {
            dbs.set(i, restored.get(i).thaw());
            PSortedSet<Expiry> idx = TreePSet.empty(EXPIRY_ORDER);
            for (Map.Entry<Key, Entry> e : dbs.get(i)) {
                if (e.getValue().expireAt() != 0) {
                    idx = idx.plus(new Expiry(e.getValue().expireAt(), e.getKey()));
                }
            }
            expiries.set(i, idx);
        }
        clock = restoredClock;
    }
}
