package io.raftmanager.storage.rocksdb;

import io.raftmanager.proto.HardState;
import io.raftmanager.proto.Membership;
import io.raftmanager.proto.SnapshotMeta;
import io.raftmanager.spi.LogBatch;
import io.raftmanager.spi.StorageException;
import io.raftmanager.storage.file.FileSnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RateLimiter;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * One RocksDB database holding the logs of many Raft groups of one node: one WAL, one fsync per
 * group-commit round, one block cache. Open it once per process with {@link #open}, then get each group's
 * {@link RocksLogStorage} from {@link #group}.
 *
 * <p>Identity: the first open stores the format version, cluster id and node id; every later open checks
 * them and refuses (with a {@link StorageException} naming the stored and the expected value) a directory
 * of another cluster or node, or one written by a newer format version, so a node can never run on a
 * foreign or swapped disk.
 *
 * <p>RocksDB options, and why:
 *
 * <ul>
 *   <li>Column families {@code log} (entries) and {@code state} (hard state and snapshot metadata per
 *       group), plus {@code default} (identity). One WAL covers all, so a batch spanning them is atomic.
 *   <li>WAL always on. Group commit: concurrent writes are merged into one WriteBatch per round, written
 *       without sync, and one {@code SyncWAL} (fdatasync) covers every round written before it started;
 *       a {@code write} with {@code sync} returns only after such a sync (see {@link GroupCommitter}).
 *       Recovery mode point-in-time: after a crash RocksDB replays the WAL up to the first damaged
 *       record, so a torn tail of an unacknowledged write is dropped instead of making the node
 *       unbootable, and every synced round before it is recovered.
 *   <li>No compression on either column family: entries are mostly opaque, often already compressed user
 *       commands, and live only until the next snapshot; compressing them costs CPU on every flush and
 *       compaction for little space. (Not measured better here; revisit with real payloads.)
 *   <li>One LRU block cache of {@link RocksLogEngineConfig#blockCacheBytes()} for both column families;
 *       the hot tail of every group is served from the in-memory entry cache before the block cache.
 *   <li>Bounded background work: at most {@link RocksLogEngineConfig#maxBackgroundJobs()} flush and
 *       compaction threads, rate limited to {@link RocksLogEngineConfig#backgroundBytesPerSecond()} so
 *       they do not starve the WAL's fsyncs. Compacted prefixes are removed with {@code DeleteRange}
 *       (one range tombstone, not a delete per entry); the tombstones are dropped by RocksDB's ordinary
 *       background compactions. Nothing triggers a manual compaction on the write path.
 *   <li>{@code max_total_wal_size} is bounded so a rarely written column family cannot pin old WAL files.
 * </ul>
 *
 * <p>Thread-safe. {@link #close} closes every group and releases every native handle; it is idempotent.
 */
public final class RocksLogEngine implements AutoCloseable {
    private static final String LOG_FAMILY = "log";
    private static final String STATE_FAMILY = "state";

    private final RocksLogEngineConfig config;
    /** Native handles in creation order; closed in reverse. */
    private final List<RocksObject> handles;

    private final RocksDB db;
    private final ColumnFamilyHandle defaultFamily;
    private final ColumnFamilyHandle logFamily;
    private final ColumnFamilyHandle stateFamily;
    private final GroupCommitter committer;
    private final Map<Long, RocksLogStorage> groups = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    private RocksLogEngine(
            RocksLogEngineConfig config,
            List<RocksObject> handles,
            RocksDB db,
            List<ColumnFamilyHandle> families,
            WriteOptions noSync) {
        this.config = config;
        this.handles = handles;
        this.db = db;
        this.defaultFamily = families.get(0);
        this.logFamily = families.get(1);
        this.stateFamily = families.get(2);
        this.committer = new GroupCommitter(db, noSync, logFamily, stateFamily);
    }

    /**
     * Opens (creating if needed) the engine in {@code config.directory()} and checks its identity.
     *
     * @throws StorageException if RocksDB cannot open the directory, or the directory belongs to another
     *     cluster or node, or was written by a newer format version
     */
    public static RocksLogEngine open(RocksLogEngineConfig config) {
        Objects.requireNonNull(config, "config");
        RocksDB.loadLibrary();
        List<RocksObject> handles = new ArrayList<>();
        try {
            Files.createDirectories(config.directory());
            LRUCache cache = add(handles, new LRUCache(Math.max(config.blockCacheBytes(), 1L << 20)));
            ColumnFamilyOptions defaultOptions = add(handles, new ColumnFamilyOptions());
            ColumnFamilyOptions logOptions = add(handles, new ColumnFamilyOptions())
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache))
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .setWriteBufferSize(config.writeBufferBytes());
            ColumnFamilyOptions stateOptions = add(handles, new ColumnFamilyOptions())
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache))
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .setWriteBufferSize(4L << 20);
            DBOptions dbOptions = add(handles, new DBOptions())
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(config.maxBackgroundJobs())
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setMaxTotalWalSize(4 * config.writeBufferBytes())
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setKeepLogFileNum(2);
            if (config.backgroundBytesPerSecond() > 0) {
                dbOptions.setRateLimiter(add(handles, new RateLimiter(config.backgroundBytesPerSecond())));
            }
            WriteOptions noSync = add(handles, new WriteOptions().setSync(false).setDisableWAL(false));
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                    new ColumnFamilyDescriptor(LOG_FAMILY.getBytes(StandardCharsets.UTF_8), logOptions),
                    new ColumnFamilyDescriptor(STATE_FAMILY.getBytes(StandardCharsets.UTF_8), stateOptions));
            List<ColumnFamilyHandle> families = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, config.directory().toString(), descriptors, families);
            // Closed in reverse: the families, then the database, then its options and the cache.
            handles.add(db);
            handles.addAll(families);
            RocksLogEngine engine = new RocksLogEngine(config, handles, db, families, noSync);
            engine.checkIdentity();
            return engine;
        } catch (IOException | RocksDBException | RuntimeException e) {
            closeAll(handles);
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("cannot open the RocksDB log engine in " + config.directory() + ": " + e, e);
        }
    }

    private static <T extends RocksObject> T add(List<RocksObject> handles, T h) {
        handles.add(h);
        return h;
    }

    private static void closeAll(List<RocksObject> handles) {
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).close();
        }
    }

    /** Writes the identity on first open; otherwise checks it against the configuration. */
    private void checkIdentity() throws RocksDBException {
        String dir = config.directory().toString();
        byte[] stored = db.get(defaultFamily, Keys.IDENTITY);
        if (stored == null) {
            try (RocksIterator it = db.newIterator(stateFamily)) {
                it.seekToFirst();
                if (it.isValid()) {
                    throw new StorageException("data directory " + dir + " holds Raft state but no identity record");
                }
            }
            byte[] cluster = config.clusterId().getBytes(StandardCharsets.UTF_8);
            byte[] payload = ByteBuffer.allocate(8 + cluster.length)
                    .putLong(config.nodeId())
                    .put(cluster)
                    .array();
            try (WriteOptions sync = new WriteOptions().setSync(true)) {
                db.put(defaultFamily, sync, Keys.IDENTITY, RecordCodec.encode(Keys.IDENTITY, payload));
            }
            return;
        }
        if (stored.length > 0 && (stored[0] & 0xFF) > RecordCodec.FORMAT_VERSION) {
            throw new StorageException("data directory " + dir + " was written by format version " + (stored[0] & 0xFF)
                    + "; this build reads format version " + RecordCodec.FORMAT_VERSION + " and older");
        }
        byte[] payload = RecordCodec.payload(Keys.IDENTITY, stored, "data directory " + dir + " identity");
        ByteBuffer b = ByteBuffer.wrap(payload);
        long nodeId = b.getLong();
        String clusterId = StandardCharsets.UTF_8.decode(b).toString();
        if (!clusterId.equals(config.clusterId())) {
            throw new StorageException("data directory " + dir + " belongs to cluster '" + clusterId
                    + "', not to the configured cluster '" + config.clusterId() + "'");
        }
        if (nodeId != config.nodeId()) {
            throw new StorageException("data directory " + dir + " belongs to node " + nodeId
                    + ", not to the configured node " + config.nodeId());
        }
    }

    /** The configuration this engine was opened with. */
    public RocksLogEngineConfig config() {
        return config;
    }

    /**
     * Opens the log of group {@code groupId}. A group with no stored state is bootstrapped (durably) with
     * an empty log and {@code bootstrapMembership} as the membership of its initial snapshot point; an
     * existing group ignores {@code bootstrapMembership}. Groups may be opened from several threads at
     * once: the durable writes of new groups then share fsyncs. Reads the group's metadata and the last entry;
     * does not scan the log.
     *
     * @throws IllegalStateException if the group is already open in this engine
     * @throws StorageException if the engine is closed or the group's stored records are corrupted
     */
    public RocksLogStorage group(long groupId, Membership bootstrapMembership) {
        Objects.requireNonNull(bootstrapMembership, "bootstrapMembership");
        Loaded loaded;
        synchronized (this) {
            if (closed) {
                throw new StorageException("the RocksDB log engine is closed");
            }
            if (groups.containsKey(groupId)) {
                throw new IllegalStateException("group " + groupId + " is already open");
            }
            try {
                loaded = load(groupId, bootstrapMembership);
            } catch (RocksDBException e) {
                throw new StorageException("group " + groupId + ": cannot read its state", e);
            }
            groups.put(groupId, loaded.storage());
        }
        if (loaded.bootstrap() != null) {
            // Outside the lock: new groups opened from several threads share one fsync (group commit).
            try {
                loaded.storage().write(new LogBatch(null, List.of(), loaded.bootstrap(), true));
            } catch (RuntimeException e) {
                synchronized (this) {
                    groups.remove(groupId, loaded.storage());
                }
                throw e;
            }
        }
        return loaded.storage();
    }

    /** A group's storage, and the snapshot record to write first when the group is new (else null). */
    private record Loaded(RocksLogStorage storage, SnapshotMeta bootstrap) {}

    private Loaded load(long g, Membership bootstrap) throws RocksDBException {
        byte[] snapKey = Keys.state(g, Keys.SNAPSHOT);
        byte[] snapValue = db.get(stateFamily, snapKey);
        byte[] hsKey = Keys.state(g, Keys.HARD_STATE);
        byte[] hsValue = db.get(stateFamily, hsKey);
        long first = -1;
        long last = -1;
        long lastTerm = 0;
        try (RocksIterator it = db.newIterator(logFamily)) {
            it.seek(Keys.entry(g, 0));
            if (it.isValid() && Keys.group(it.key()) == g) {
                first = Keys.index(it.key());
                it.seekForPrev(Keys.groupEnd(g));
                last = Keys.index(it.key());
                lastTerm = RecordCodec.entry(it.key(), it.value(), g, last).getTerm();
            }
            it.status();
        }
        if (snapValue == null) {
            if (hsValue != null || first >= 0) {
                throw new StorageException("group " + g + ": stored state has no snapshot record");
            }
            SnapshotMeta meta =
                    SnapshotMeta.newBuilder().setMembership(bootstrap).build();
            return new Loaded(new RocksLogStorage(this, g, meta, HardState.getDefaultInstance(), 0, 0), meta);
        }
        SnapshotMeta meta = parse(snapKey, snapValue, g, "snapshot record", SnapshotMeta.parser());
        HardState hs = hsValue == null
                ? HardState.getDefaultInstance()
                : parse(hsKey, hsValue, g, "hard state record", HardState.parser());
        if (first < 0) {
            return new Loaded(new RocksLogStorage(this, g, meta, hs, meta.getIndex(), meta.getTerm()), null);
        }
        if (first != meta.getIndex() + 1) {
            throw new StorageException(
                    "group " + g + ": first stored entry is " + first + " but the snapshot ends at " + meta.getIndex());
        }
        return new Loaded(new RocksLogStorage(this, g, meta, hs, last, lastTerm), null);
    }

    private static <T> T parse(byte[] key, byte[] value, long g, String what, com.google.protobuf.Parser<T> parser) {
        byte[] payload = RecordCodec.payload(key, value, "group " + g + " " + what);
        try {
            return parser.parseFrom(payload);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new StorageException("group " + g + " " + what + ": does not decode", e);
        }
    }

    /**
     * The durable snapshot store of group {@code groupId}: a {@link FileSnapshotStore} in {@code
     * <directory>/snapshots/group-<groupId>}, next to the RocksDB files it belongs with. Give it to the
     * node together with {@link #group}'s log: the log is compacted behind these snapshots, and a restarted
     * node resumes from the latest of them (see {@link io.raftmanager.spi.SnapshotStore}).
     */
    public FileSnapshotStore snapshotStore(long groupId) {
        return new FileSnapshotStore(config.directory().resolve("snapshots").resolve("group-" + groupId));
    }

    /** Forgets a closed group's handle. */
    synchronized void release(RocksLogStorage s) {
        groups.remove(s.groupId, s);
    }

    /**
     * Closes every open group, waits for in-flight writes, and releases every native handle (column
     * families, the database, options, cache, rate limiter). Idempotent.
     */
    @Override
    public void close() {
        List<RocksLogStorage> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(groups.values());
            groups.clear();
        }
        committer.close();
        // Marking a group closed takes its view lock, so no reader is inside RocksDB afterwards.
        for (RocksLogStorage s : open) {
            s.markClosed();
        }
        closeAll(handles);
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle logFamily() {
        return logFamily;
    }

    ColumnFamilyHandle stateFamily() {
        return stateFamily;
    }

    GroupCommitter committer() {
        return committer;
    }

    /** Every native handle the engine owns (for leak tests). */
    List<RocksObject> nativeHandles() {
        return List.copyOf(handles);
    }
}
