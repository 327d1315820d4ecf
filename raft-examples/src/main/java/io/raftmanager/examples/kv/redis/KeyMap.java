package io.raftmanager.examples.kv.redis;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A map from {@link Key} to values: a hash array mapped trie on the key's 64-bit hash, iterated in {@link
 * Key#ORDER} (unsigned hash, then bytes), with O(1) point-in-time copies.
 *
 * <p>Each node remembers the edit generation that created it. A write changes the nodes of the current
 * generation in place and copies the others (path copying); {@link #snapshot()} starts a new generation, so
 * nodes a snapshot shares are never changed again. A write then costs about what a {@code HashMap} put
 * costs, where a persistent tree allocates O(log n) nodes per write, and a snapshot costs one allocation.
 *
 * <p>Not thread-safe: one thread writes (the applier); snapshots may be read by any thread. Do not write
 * while iterating the same (unfrozen) map.
 */
public final class KeyMap<V> implements Iterable<Map.Entry<Key, V>> {
    /** 6 bits of the hash per level from the top (so iteration follows the unsigned hash), 4 in the last. */
    private static final int LEVELS = 11;

    private static final Object[] NO_SLOTS = new Object[0];

    private Node root;
    private int size;
    /** The current edit generation; null once frozen. */
    private Object edit;

    // What the last recursive write found; reset by each public write.
    private Object previous;
    private boolean sizeChanged;

    /** An empty map that can be written. */
    public KeyMap() {
        this.edit = new Object();
        this.root = new Node(edit, 0, NO_SLOTS);
    }

    private KeyMap(Node root, int size, Object edit) {
        this.root = root;
        this.size = size;
        this.edit = edit;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** A frozen copy of the current contents; later writes to this map do not show in it. */
    public KeyMap<V> snapshot() {
        if (edit == null) {
            return this;
        }
        edit = new Object();
        return new KeyMap<>(root, size, null);
    }

    /** A writable map starting from this one's contents (which stay as they are). */
    public KeyMap<V> thaw() {
        return new KeyMap<>(root, size, new Object());
    }

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public V get(Key key) {
        Node n = root;
        long h = key.hash;
        for (int level = 0; ; level++) {
            long bit = 1L << fragment(h, level);
            if ((n.bitmap & bit) == 0) {
                return null;
            }
            Object s = n.slots[Long.bitCount(n.bitmap & (bit - 1))];
            if (s instanceof Node child) {
                n = child;
            } else if (s instanceof Leaf<?> leaf) {
                return leaf.key.equals(key) ? (V) leaf.value : null;
            } else {
                Leaf<?> leaf = ((Collision) s).find(key);
                return leaf == null ? null : (V) leaf.value;
            }
        }
    }

    /** Maps {@code key} to {@code value}; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(Key key, V value) {
        writable();
        previous = null;
        sizeChanged = false;
        root = put(root, 0, new Leaf<>(key, value));
        if (sizeChanged) {
            size++;
        }
        V old = (V) previous;
        previous = null;
        return old;
    }

    /** Removes {@code key}; returns its value or null if it was absent. */
    @SuppressWarnings("unchecked")
    public V remove(Key key) {
        writable();
        previous = null;
        sizeChanged = false;
        root = (Node) remove(root, 0, key);
        if (sizeChanged) {
            size--;
        }
        V old = (V) previous;
        previous = null;
        return old;
    }

    /** Every entry in {@link Key#ORDER}. */
    @Override
    public Iterator<Map.Entry<Key, V>> iterator() {
        return from(0);
    }

    /** The entries whose key hash is {@code hash} or more (unsigned), in {@link Key#ORDER}: a SCAN page. */
    public Iterator<Map.Entry<Key, V>> from(long hash) {
        return new Iter<>(root, hash);
    }

    /** The first entry whose key hash is {@code hash} or more, wrapping around to the first entry; or null. */
    public Map.Entry<Key, V> ceilingOrFirst(long hash) {
        Iterator<Map.Entry<Key, V>> it = from(hash);
        if (it.hasNext()) {
            return it.next();
        }
        it = iterator();
        return it.hasNext() ? it.next() : null;
    }

    private void writable() {
        if (edit == null) {
            throw new IllegalStateException("a snapshot of the map cannot be written");
        }
    }

    static int fragment(long hash, int level) {
        return level < LEVELS - 1 ? (int) (hash >>> (58 - 6 * level)) & 63 : (int) hash & 15;
    }

    private Node editable(Node n) {
        return n.edit == edit ? n : new Node(edit, n.bitmap, n.slots.clone());
    }

    private Node put(Node n, int level, Leaf<?> leaf) {
        long bit = 1L << fragment(leaf.key.hash, level);
        int i = Long.bitCount(n.bitmap & (bit - 1));
        if ((n.bitmap & bit) == 0) {
            sizeChanged = true;
            Node m = n.edit == edit ? n : new Node(edit, n.bitmap, n.slots);
            m.slots = inserted(m.slots, i, leaf);
            m.bitmap |= bit;
            return m;
        }
        Object s = n.slots[i];
        Object replacement;
        if (s instanceof Node child) {
            replacement = put(child, level + 1, leaf);
        } else if (s instanceof Leaf<?> old) {
            if (old.key.equals(leaf.key)) {
                previous = old.value;
                replacement = leaf;
            } else {
                sizeChanged = true;
                replacement = old.key.hash == leaf.key.hash
                        ? new Collision(new Leaf<?>[] {old}).with(leaf)
                        : split(old, leaf, level + 1);
            }
        } else {
            Collision c = (Collision) s;
            Leaf<?> old = c.find(leaf.key);
            if (old != null) {
                previous = old.value;
            } else {
                sizeChanged = true;
            }
            replacement = c.with(leaf);
        }
        if (replacement == s) {
            return n;
        }
        Node m = editable(n);
        m.slots[i] = replacement;
        return m;
    }

    /** A node at {@code level} holding two leaves whose hashes differ. */
    private Node split(Leaf<?> a, Leaf<?> b, int level) {
        int fa = fragment(a.key.hash, level);
        int fb = fragment(b.key.hash, level);
        if (fa == fb) {
            return new Node(edit, 1L << fa, new Object[] {split(a, b, level + 1)});
        }
        Object[] slots = fa < fb ? new Object[] {a, b} : new Object[] {b, a};
        return new Node(edit, (1L << fa) | (1L << fb), slots);
    }

    /**
     * Returns the node after removing {@code key}: the same or an edited node, or (below the root) null
     * when it became empty, or a lone leaf for the parent to hold directly, so the trie stays compact.
     */
    private Object remove(Node n, int level, Key key) {
        long bit = 1L << fragment(key.hash, level);
        if ((n.bitmap & bit) == 0) {
            return n;
        }
        int i = Long.bitCount(n.bitmap & (bit - 1));
        Object s = n.slots[i];
        Object replacement;
        if (s instanceof Node child) {
            replacement = remove(child, level + 1, key);
        } else if (s instanceof Leaf<?> leaf) {
            if (!leaf.key.equals(key)) {
                return n;
            }
            previous = leaf.value;
            sizeChanged = true;
            replacement = null;
        } else {
            Collision c = (Collision) s;
            Leaf<?> old = c.find(key);
            if (old == null) {
                return n;
            }
            previous = old.value;
            sizeChanged = true;
            replacement = c.without(key);
        }
        if (replacement == s) {
            return n;
        }
        if (level > 0) {
            if (replacement == null && n.slots.length == 1) {
                return null;
            }
            if (replacement == null && n.slots.length == 2 && n.slots[1 - i] instanceof Leaf<?> other) {
                return other;
            }
            if (replacement instanceof Leaf<?> && n.slots.length == 1) {
                return replacement;
            }
        }
        if (replacement == null) {
            Node m = n.edit == edit ? n : new Node(edit, n.bitmap, n.slots);
            m.slots = removed(m.slots, i);
            m.bitmap &= ~bit;
            return m;
        }
        Node m = editable(n);
        m.slots[i] = replacement;
        return m;
    }

    private static Object[] inserted(Object[] a, int i, Object x) {
        Object[] b = new Object[a.length + 1];
        System.arraycopy(a, 0, b, 0, i);
        b[i] = x;
        System.arraycopy(a, i, b, i + 1, a.length - i);
        return b;
    }

    private static Object[] removed(Object[] a, int i) {
        Object[] b = new Object[a.length - 1];
        System.arraycopy(a, 0, b, 0, i);
        System.arraycopy(a, i + 1, b, i, a.length - i - 1);
        return b;
    }

    private static final class Node {
        final Object edit;
        long bitmap;
        /** Children in fragment order: each a Node, a Leaf or a Collision. */
        Object[] slots;

        Node(Object edit, long bitmap, Object[] slots) {
            this.edit = edit;
            this.bitmap = bitmap;
            this.slots = slots;
        }
    }

    private static final class Leaf<V> implements Map.Entry<Key, V> {
        final Key key;
        final V value;

        Leaf(Key key, V value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public Key getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V v) {
            throw new UnsupportedOperationException("entries of a KeyMap are read-only");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e
                    && key.equals(e.getKey())
                    && java.util.Objects.equals(value, e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ java.util.Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** Keys whose whole 64-bit hash is equal, ordered by bytes; immutable (collisions are rare). */
    private static final class Collision {
        final Leaf<?>[] leaves;

        Collision(Leaf<?>[] leaves) {
            this.leaves = leaves;
        }

        private int search(Key key) {
            int lo = 0;
            int hi = leaves.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Key.ORDER.compare(leaves[mid].key, key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        Leaf<?> find(Key key) {
            int i = search(key);
            return i >= 0 ? leaves[i] : null;
        }

        Collision with(Leaf<?> leaf) {
            int i = search(leaf.key);
            if (i >= 0) {
                Leaf<?>[] copy = leaves.clone();
                copy[i] = leaf;
                return new Collision(copy);
            }
            int at = -(i + 1);
            Leaf<?>[] grown = Arrays.copyOf(leaves, leaves.length + 1);
            System.arraycopy(leaves, at, grown, at + 1, leaves.length - at);
            grown[at] = leaf;
            return new Collision(grown);
        }

        /** Without {@code key} (which is present): a smaller collision, or the one leaf left. */
        Object without(Key key) {
            int i = search(key);
            if (leaves.length == 2) {
                return leaves[1 - i];
            }
            Leaf<?>[] shrunk = new Leaf<?>[leaves.length - 1];
            System.arraycopy(leaves, 0, shrunk, 0, i);
            System.arraycopy(leaves, i + 1, shrunk, i, leaves.length - i - 1);
            return new Collision(shrunk);
        }
    }

    /** Depth-first, in fragment order: ascending unsigned hash, collisions by bytes. */
    private static final class Iter<V> implements Iterator<Map.Entry<Key, V>> {
        private final Node[] nodes = new Node[LEVELS + 1];
        private final int[] positions = new int[LEVELS + 1];
        private int depth = -1;
        private final long from;
        private Leaf<?>[] collision;
        private int inCollision;
        private Leaf<?> next;

        Iter(Node root, long from) {
            this.from = from;
            Node n = root;
            for (int level = 0; ; level++) {
                long bit = 1L << fragment(from, level);
                int i = Long.bitCount(n.bitmap & (bit - 1));
                if ((n.bitmap & bit) != 0 && n.slots[i] instanceof Node child) {
                    push(n, i + 1);
                    n = child;
                } else {
                    push(n, i);
                    break;
                }
            }
            advance();
        }

        private void push(Node n, int position) {
            depth++;
            nodes[depth] = n;
            positions[depth] = position;
        }

        private void advance() {
            next = null;
            while (true) {
                if (collision != null) {
                    if (inCollision < collision.length) {
                        Leaf<?> l = collision[inCollision++];
                        if (Long.compareUnsigned(l.key.hash, from) >= 0) {
                            next = l;
                            return;
                        }
                        continue;
                    }
                    collision = null;
                }
                if (depth < 0) {
                    return;
                }
                Node n = nodes[depth];
                int p = positions[depth];
                if (p >= n.slots.length) {
                    nodes[depth--] = null;
                    continue;
                }
                positions[depth] = p + 1;
                Object s = n.slots[p];
                if (s instanceof Node child) {
                    push(child, 0);
                } else if (s instanceof Leaf<?> l) {
                    if (Long.compareUnsigned(l.key.hash, from) >= 0) {
                        next = l;
                        return;
                    }
                } else {
                    collision = ((Collision) s).leaves;
                    inCollision = 0;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Map.Entry<Key, V> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Map.Entry<Key, V> e = (Map.Entry<Key, V>) next;
            advance();
            return e;
        }
    }
}
