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
import java.util.Properties;
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
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *       Recovery mode tolerate-corrupted-tail: after a crash a torn tail of an unacknowledged write is
 *       dropped instead of making the node unbootable, and every synced round before it is recovered. A
 *       damaged record before the tail fails that mode; the engine then replays up to it (point-in-time)
 *       and reports the loss (PointInTimeRecovery alone drops acknowledged writes silently, measured in
 *       {@code WalCorruptionTest}).
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
 *   <li>A memtable insert hint per group in the log family (and so no concurrent memtable writes): with
 *       64 busy groups a round's inserts land all over the skip list, and the hint cut the committer's
 *       memtable inserts from 4.2 to 1.6 us per SET (profile, raft-kv at 64 groups).
 *   <li>{@code max_total_wal_size} is bounded so a rarely written column family cannot pin old WAL files.
 * </ul>
 *
 * <p>Thread-safe. {@link #close} closes every group and releases every native handle; it is idempotent.
 */
public final class RocksLogEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RocksLogEngine.class);
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
    /** {@link RocksLogEngineConfig#entryCacheShare} for the groups open now; written under this. */
    private volatile long entryCacheShare;

    private boolean closed; // guarded by this
    /**
     * Why every group of this engine must count its state as damaged (a corrupt WAL record in the middle,
     * a corrupt identity), or null. Each group then reports a loss and recovers from its peers.
     */
    private String engineDamage; // set at open only

    private RocksLogEngine(
            RocksLogEngineConfig config,
            List<RocksObject> handles,
            RocksDB db,
            List<ColumnFamilyHandle> families,
            WriteOptions noSync,
            String engineDamage) {
        this.config = config;
        this.entryCacheShare = config.entryCacheShare(0);
        this.engineDamage = engineDamage;
        this.handles = handles;
        this.db = db;
        this.defaultFamily = families.get(0);
        this.logFamily = families.get(1);
        this.stateFamily = families.get(2);
        this.committer =
                new GroupCommitter(db, noSync, logFamily, stateFamily, "raft-rocksdb-commit-" + config.nodeId());
    }

    /**
     * Opens (creating if needed) the engine in {@code config.directory()} and checks its identity. A torn
     * record at the very end of the write-ahead log (a write cut by a crash, never acknowledged) is
     * dropped; a damaged record before the end, which RocksDB's point-in-time recovery would skip together
     * with every later write without a word, is replayed up to and reported as a loss to every group, as
     * is a damaged identity record (rewritten).
     *
     * @throws StorageException if RocksDB cannot open the directory, or the directory belongs to another
     *     cluster or node, or was written by a newer format version
     */
    /**
     * The log family's options before the rest is set: a memtable insert hint per group (the key's first
     * 8 bytes). A group's entries arrive in index order but interleaved with every other group's, so
     * without a hint each insert searches the skip list from its top; with one it starts where that
     * group's last insert ended. RocksJava has no setter for it, hence the options string.
     */
    private static ColumnFamilyOptions logFamilyBaseOptions() {
        Properties p = new Properties();
        p.setProperty("memtable_insert_with_hint_prefix_extractor", "rocksdb.FixedPrefix." + Keys.GROUP_BYTES);
        ColumnFamilyOptions o = ColumnFamilyOptions.getColumnFamilyOptionsFromProps(p);
        if (o == null) {
            throw new IllegalStateException("RocksDB refused the log family's memtable insert hint");
        }
        return o;
    }

    public static RocksLogEngine open(RocksLogEngineConfig config) {
        Objects.requireNonNull(config, "config");
        RocksDB.loadLibrary();
        List<RocksObject> handles = new ArrayList<>();
        try {
            Files.createDirectories(config.directory());
            LRUCache cache = add(handles, new LRUCache(Math.max(config.blockCacheBytes(), 1L << 20)));
            ColumnFamilyOptions defaultOptions = add(handles, new ColumnFamilyOptions());
            ColumnFamilyOptions logOptions = add(handles, logFamilyBaseOptions())
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
                    .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
                    .setMaxTotalWalSize(4 * config.writeBufferBytes())
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setKeepLogFileNum(2)
                    // Needed for the log family's insert hints; the committer is the one writer that matters.
                    .setAllowConcurrentMemtableWrite(false);
            if (config.backgroundBytesPerSecond() > 0) {
                dbOptions.setRateLimiter(add(handles, new RateLimiter(config.backgroundBytesPerSecond())));
            }
            WriteOptions noSync = add(handles, new WriteOptions().setSync(false).setDisableWAL(false));
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                    new ColumnFamilyDescriptor(LOG_FAMILY.getBytes(StandardCharsets.UTF_8), logOptions),
                    new ColumnFamilyDescriptor(STATE_FAMILY.getBytes(StandardCharsets.UTF_8), stateOptions));
            List<ColumnFamilyHandle> families = new ArrayList<>();
            String damage = null;
            RocksDB db;
            try {
                db = RocksDB.open(dbOptions, config.directory().toString(), descriptors, families);
            } catch (RocksDBException e) {
                if (e.getStatus() == null || e.getStatus().getCode() != Status.Code.Corruption) {
                    throw e;
                }
                // A damaged record before the WAL's tail: replay up to it, and report every write after it as
                // lost (PointInTimeRecovery alone would drop them silently).
                damage = "the write-ahead log has a damaged record before its end (" + e.getMessage()
                        + "); the writes after it are lost";
                LOG.warn("{}: {}", config.directory(), damage);
                families.clear();
                dbOptions.setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery);
                db = RocksDB.open(dbOptions, config.directory().toString(), descriptors, families);
            }
            // Closed in reverse: the families, then the database, then its options and the cache.
            handles.add(db);
            handles.addAll(families);
            RocksLogEngine engine = new RocksLogEngine(config, handles, db, families, noSync, damage);
            engine.checkIdentity();
            engine.committer.start();
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

    /**
     * Writes the identity on first open; otherwise checks it against the configuration. A damaged identity
     * record is rewritten, and every group then counts as damaged: the directory cannot be proven to be
     * this node's intact state, so its groups recover from their peers.
     */
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
            writeIdentity();
            return;
        }
        if (stored.length > 0 && (stored[0] & 0xFF) > RecordCodec.FORMAT_VERSION) {
            throw new StorageException("data directory " + dir + " was written by format version " + (stored[0] & 0xFF)
                    + "; this build reads format version " + RecordCodec.FORMAT_VERSION + " and older");
        }
        byte[] payload;
        try {
            payload = RecordCodec.payload(Keys.IDENTITY, stored, "data directory " + dir + " identity");
        } catch (StorageException e) {
            String damage = e.getMessage() + "; rewritten, and every group recovers from its peers";
            LOG.warn("{}", damage);
            writeIdentity();
            engineDamage = engineDamage == null ? damage : engineDamage + "; " + damage;
            return;
        }
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

    private void writeIdentity() throws RocksDBException {
        byte[] cluster = config.clusterId().getBytes(StandardCharsets.UTF_8);
        byte[] payload = ByteBuffer.allocate(8 + cluster.length)
                .putLong(config.nodeId())
                .put(cluster)
                .array();
        try (WriteOptions sync = new WriteOptions().setSync(true)) {
            db.put(defaultFamily, sync, Keys.IDENTITY, RecordCodec.encode(Keys.IDENTITY, payload));
        }
    }

    /** The configuration this engine was opened with. */
    public RocksLogEngineConfig config() {
        return config;
    }

    /**
     * Opens the log of group {@code groupId}, bootstrapping a new group with {@code bootstrapMembership}; as
     * {@link #group(long, Membership)}, with the public value type.
     */
    public RocksLogStorage group(long groupId, io.raftmanager.Membership bootstrapMembership) {
        return group(groupId, io.raftmanager.node.ApiTypes.toProto(bootstrapMembership));
    }

    /**
     * Opens the log of group {@code groupId}. A group with no stored state is bootstrapped (durably) with
     * an empty log and {@code bootstrapMembership} as the membership of its initial snapshot point; an
     * existing group ignores {@code bootstrapMembership}. Groups may be opened from several threads at once:
     * the durable first writes of new groups then share fsyncs. Reads the group's metadata and verifies
     * every entry once (a read of the log, which compaction keeps short).
     *
     * <p>Damage is a detected loss, never a crash loop nor a silent truncation: a record that fails its
     * check, a missing record, or a damaged write-ahead log or identity (see {@link #open}) makes the
     * group keep what verified (its base point and the entries before the first damaged one), drop the
     * rest, durably set {@code HardState.recovering}, and report {@code lost} from {@link
     * RocksLogStorage#initialState()}: the node rejoins without a vote until it has caught up
     * (docs/storage-faults.md). One WARN line names what was lost.
     *
     * @throws IllegalStateException if the group is already open in this engine
     * @throws StorageException if the engine is closed or RocksDB fails
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
            entryCacheShare = config.entryCacheShare(groups.size());
        }
        if (loaded.bootstrap() != null) {
            // Outside the lock: new groups opened from several threads share one fsync (group commit).
            try {
                loaded.storage().write(new LogBatch(null, List.of(), loaded.bootstrap(), true));
            } catch (RuntimeException e) {
                release(loaded.storage());
                throw e;
            }
        }
        return loaded.storage();
    }

    /**
     * Empties group {@code groupId} (which must not be open) for a node whose state of that group is lost
     * although the database is sound, as when its local snapshot is damaged and the log is compacted behind
     * it: drops its entries and base point, keeps its term and vote, and durably marks it recovering, so the
     * next {@link #group} opens it empty and the node learns it again from its peers before it votes
     * (docs/storage-faults.md). Setting the group's snapshot files aside is the caller's part.
     *
     * @param bootstrapMembership the membership of the emptied group's base point, as for a new group
     * @throws IllegalStateException if the group is open
     * @throws StorageException if the engine is closed or RocksDB fails
     */
    public synchronized void resetGroup(long groupId, Membership bootstrapMembership) {
        Objects.requireNonNull(bootstrapMembership, "bootstrapMembership");
        if (closed) {
            throw new StorageException("the RocksDB log engine is closed");
        }
        if (groups.containsKey(groupId)) {
            throw new IllegalStateException("group " + groupId + " is open: close it before resetting it");
        }
        byte[] hsKey = Keys.state(groupId, Keys.HARD_STATE);
        byte[] snapKey = Keys.state(groupId, Keys.SNAPSHOT);
        try {
            HardState hs = HardState.getDefaultInstance();
            byte[] hsValue = db.get(stateFamily, hsKey);
            if (hsValue != null) {
                try {
                    hs = parse(hsKey, hsValue, groupId, "hard state record", HardState.parser());
                } catch (StorageException e) {
                    LOG.warn("group {}: hard state lost too ({})", groupId, e.getMessage());
                }
            }
            HardState marked = hs.toBuilder().setCommit(0).setRecovering(true).build();
            SnapshotMeta base =
                    SnapshotMeta.newBuilder().setMembership(bootstrapMembership).build();
            try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch();
                    WriteOptions sync = new WriteOptions().setSync(true)) {
                batch.deleteRange(logFamily, Keys.entry(groupId, 0), Keys.groupEnd(groupId));
                batch.put(stateFamily, snapKey, RecordCodec.encode(snapKey, base));
                batch.put(stateFamily, hsKey, RecordCodec.encode(hsKey, marked));
                db.write(sync, batch);
            }
        } catch (RocksDBException e) {
            throw new StorageException("group " + groupId + ": cannot reset it", e);
        }
        LOG.warn(
                "group {}: state lost; emptied and marked recovering: it rejoins without a vote until it has caught"
                        + " up with its peers",
                groupId);
    }

    /** A group's storage, and the snapshot record to write first when the group is new (else null). */
    private record Loaded(RocksLogStorage storage, SnapshotMeta bootstrap) {}

    private Loaded load(long g, Membership bootstrap) throws RocksDBException {
        List<String> losses = new ArrayList<>();
        if (engineDamage != null) {
            losses.add(engineDamage);
        }
        byte[] snapKey = Keys.state(g, Keys.SNAPSHOT);
        byte[] snapValue = db.get(stateFamily, snapKey);
        byte[] hsKey = Keys.state(g, Keys.HARD_STATE);
        byte[] hsValue = db.get(stateFamily, hsKey);
        SnapshotMeta meta = null;
        if (snapValue != null) {
            try {
                meta = parse(snapKey, snapValue, g, "snapshot record", SnapshotMeta.parser());
            } catch (StorageException e) {
                losses.add(e.getMessage());
            }
        }
        HardState hs = HardState.getDefaultInstance();
        if (hsValue != null) {
            try {
                hs = parse(hsKey, hsValue, g, "hard state record", HardState.parser());
            } catch (StorageException e) {
                losses.add(e.getMessage());
            }
        }
        LogScan scan = scan(g);
        if (meta == null && snapValue == null && hsValue == null && scan.first < 0) {
            if (!losses.isEmpty()) {
                return new Loaded(
                        repaired(
                                g,
                                SnapshotMeta.newBuilder()
                                        .setMembership(bootstrap)
                                        .build(),
                                hs,
                                scan,
                                losses),
                        null);
            }
            SnapshotMeta fresh =
                    SnapshotMeta.newBuilder().setMembership(bootstrap).build();
            return new Loaded(new RocksLogStorage(this, g, fresh, HardState.getDefaultInstance(), 0, 0, false), fresh);
        }
        if (meta == null) {
            if (snapValue == null) {
                losses.add("group " + g + ": stored state has no snapshot record");
            }
            // Without the base point the entries cannot be placed: start over from the bootstrap one.
            meta = SnapshotMeta.newBuilder().setMembership(bootstrap).build();
            return new Loaded(repaired(g, meta, hs, new LogScan(-1, -1, 0, -1, null), losses), null);
        }
        if (scan.first >= 0 && scan.first != meta.getIndex() + 1) {
            losses.add("group " + g + ": first stored entry is " + scan.first + " but the snapshot ends at "
                    + meta.getIndex());
            return new Loaded(repaired(g, meta, hs, new LogScan(-1, -1, 0, scan.first, null), losses), null);
        }
        if (scan.damage != null) {
            losses.add(scan.damage);
        }
        if (losses.isEmpty()) {
            long last = scan.first < 0 ? meta.getIndex() : scan.last;
            long lastTerm = scan.first < 0 ? meta.getTerm() : scan.lastTerm;
            return new Loaded(new RocksLogStorage(this, g, meta, hs, last, lastTerm, false), null);
        }
        return new Loaded(repaired(g, meta, hs, scan, losses), null);
    }

    /**
     * What a start-up scan of a group's log found: the contiguous, verified entries {@code [first, last]}
     * ({@code first < 0}: none), and where the damage begins ({@code cut}, or -1) with its description.
     */
    private record LogScan(long first, long last, long lastTerm, long cut, String damage) {}

    /**
     * Verifies every entry of the group once: the log is bounded by compaction, and a damaged record found
     * now is a detected loss at start-up rather than a read error later.
     */
    private LogScan scan(long g) {
        long first = -1;
        long last = -1;
        long lastTerm = 0;
        try (RocksIterator it = db.newIterator(logFamily)) {
            for (it.seek(Keys.entry(g, 0)); it.isValid() && Keys.group(it.key()) == g; it.next()) {
                long index = Keys.index(it.key());
                if (first >= 0 && index != last + 1) {
                    return new LogScan(
                            first,
                            last,
                            lastTerm,
                            last + 1,
                            "group " + g + " entry " + (last + 1) + ": record is missing");
                }
                try {
                    lastTerm = RecordCodec.entry(it.key(), it.value(), g, index).getTerm();
                } catch (StorageException e) {
                    byte[] v = it.value();
                    if (v.length > 0 && (v[0] & 0xFF) > RecordCodec.FORMAT_VERSION) {
                        throw e; // written by a newer build: refuse to start rather than drop it as damage
                    }
                    return first < 0
                            ? new LogScan(-1, -1, 0, index, e.getMessage())
                            : new LogScan(first, last, lastTerm, index, e.getMessage());
                }
                if (first < 0) {
                    first = index;
                }
                last = index;
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw new StorageException("group " + g + ": cannot scan the log", e);
            }
        }
        return new LogScan(first, last, lastTerm, -1, null);
    }

    /**
     * Keeps what verified (the base point and the entries before the first damaged one), drops the rest,
     * and durably marks the group recovering before anything reads it: the node then votes only once it
     * has learned again from its peers (docs/storage-faults.md).
     */
    private RocksLogStorage repaired(long g, SnapshotMeta meta, HardState hs, LogScan scan, List<String> losses)
            throws RocksDBException {
        long last = scan.first < 0 ? meta.getIndex() : scan.last;
        long lastTerm = scan.first < 0 ? meta.getTerm() : scan.lastTerm;
        HardState marked = hs.toBuilder()
                .setRecovering(true)
                .setCommit(Math.min(hs.getCommit(), last))
                .build();
        long dropFrom = scan.cut >= 0 ? scan.cut : (scan.first < 0 ? 0 : last + 1);
        try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch();
                WriteOptions sync = new WriteOptions().setSync(true)) {
            batch.deleteRange(logFamily, Keys.entry(g, dropFrom), Keys.groupEnd(g));
            byte[] snapKey = Keys.state(g, Keys.SNAPSHOT);
            batch.put(stateFamily, snapKey, RecordCodec.encode(snapKey, meta));
            byte[] hsKey = Keys.state(g, Keys.HARD_STATE);
            batch.put(stateFamily, hsKey, RecordCodec.encode(hsKey, marked));
            db.write(sync, batch);
        }
        LOG.warn(
                "group {}: storage lost state ({}); kept the log up to {}, marked recovering: it rejoins without a"
                        + " vote until it has caught up with its peers",
                g,
                String.join("; ", losses),
                last);
        return new RocksLogStorage(this, g, meta, marked, last, lastTerm, true);
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
        entryCacheShare = config.entryCacheShare(groups.size());
    }

    /** What each open group's entry cache may hold now: its share of the engine's budget. */
    long entryCacheShare() {
        return entryCacheShare;
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

    /**
     * How many WAL syncs (fsyncs) the engine has made since it was opened. With {@link
     * #syncedWriteCount()}: writes per sync, the measure of group commit across groups.
     */
    public long syncCount() {
        return committer.syncCount();
    }

    /** How many synced writes (of any group) the engine's syncs have made durable since it was opened. */
    public long syncedWriteCount() {
        return committer.syncedWriteCount();
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
