package io.raftmanager.examples.kv;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Argv;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.RedisOps;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * Measures what one write costs in the KV state machine (the README's table), single-threaded:
 * {@code java -cp raft-examples/target/raft-kv.jar:raft-examples/target/test-classes
 * io.raftmanager.examples.kv.WriteCostBench [keys]}. It times whole applies (parsing the entry, running
 * the command, building the reply) and, for comparison, the bare maps: the two persistent trees raft-kv
 * used before, the hash trie it uses now, and a mutable HashMap (no O(1) snapshots).
 */
public final class WriteCostBench {
    private WriteCostBench() {}

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int writes = 2_000_000;
        ByteString[] names = new ByteString[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = ByteString.copyFromUtf8("key:" + String.format("%012d", i * 7919L % 1_000_000_007L));
        }
        ByteString value = ByteString.copyFromUtf8("x".repeat(100));
        for (int round = 0; round < 2; round++) { // the first round warms up
            boolean report = round == 1;
            if (report) {
                System.out.printf("%d keys, %d random-key writes per row, 100-byte values%n", keys, writes);
            }
            KvStateMachine sm = new KvStateMachine(m -> {}, 16, System::currentTimeMillis);
            ByteString[] entries = new ByteString[4096];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < entries.length; i++) {
                entries[i] = KvCommand.newBuilder()
                        .setRedis(RedisOps.newBuilder()
                                .setTimeMillis(1)
                                .addCommands(Argv.newBuilder()
                                        .addArgs(ByteString.copyFromUtf8("SET"))
                                        .addArgs(names[r.nextInt(keys)])
                                        .addArgs(value)))
                        .build()
                        .toByteString();
            }
            for (int i = 0; i < keys; i++) { // fill first: the cost depends on the map's size
                sm.apply(i + 1, set(names[i], value));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                sm.apply(keys + i + 1, entries[i & 4095]);
            }
            print(report, "raft-kv apply(SET), " + keys + " keys", t0, writes);

            PSortedMap<ByteString, ByteString> old = TreePMap.empty(ByteString.unsignedLexicographicalComparator());
            for (int i = 0; i < keys; i++) {
                old = old.plus(names[i], value);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                old = old.plus(names[r.nextInt(keys)], value);
            }
            print(report, "bare TreePMap by key bytes (the first map)", t0, writes);

            PSortedMap<io.raftmanager.examples.kv.redis.Key, ByteString> hashed =
                    TreePMap.empty(io.raftmanager.examples.kv.redis.Key.ORDER);
            for (int i = 0; i < keys; i++) {
                hashed = hashed.plus(io.raftmanager.examples.kv.redis.Key.of(names[i]), value);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                hashed = hashed.plus(io.raftmanager.examples.kv.redis.Key.of(names[r.nextInt(keys)]), value);
            }
            print(report, "bare TreePMap by (hash, bytes) (the second map)", t0, writes);

            io.raftmanager.examples.kv.redis.KeyMap<ByteString> trie = new io.raftmanager.examples.kv.redis.KeyMap<>();
            for (int i = 0; i < keys; i++) {
                trie.put(io.raftmanager.examples.kv.redis.Key.of(names[i]), value);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                if ((i & 65_535) == 0) {
                    trie.snapshot(); // as raft-kv's snapshots do, now and then: later writes copy paths again
                }
                trie.put(io.raftmanager.examples.kv.redis.Key.of(names[r.nextInt(keys)]), value);
            }
            print(report, "bare KeyMap hash trie (this store's map)", t0, writes);

            Map<ByteString, ByteString> mutable = new HashMap<>();
            for (int i = 0; i < keys; i++) {
                mutable.put(names[i], value);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                mutable.put(names[r.nextInt(keys)], value);
            }
            print(report, "bare HashMap (no cheap snapshot)", t0, writes);
        }
    }

    private static ByteString set(ByteString key, ByteString value) {
        return KvCommand.newBuilder()
                .setRedis(RedisOps.newBuilder()
                        .setTimeMillis(1)
                        .addCommands(Argv.newBuilder()
                                .addArgs(ByteString.copyFromUtf8("SET"))
                                .addArgs(key)
                                .addArgs(value)))
                .build()
                .toByteString();
    }

    private static void print(boolean report, String what, long t0, int writes) {
        double us = (System.nanoTime() - t0) / 1000.0 / writes;
        if (report) {
            System.out.printf("  %-55s %6.2f µs/write%n", what, us);
        }
    }
}
