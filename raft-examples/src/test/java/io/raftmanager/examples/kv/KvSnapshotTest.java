package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftmanager.StateSnapshot;
import io.raftmanager.examples.kv.proto.Announce;
import io.raftmanager.examples.kv.proto.KvCommand;
import io.raftmanager.examples.kv.proto.Member;
import io.raftmanager.proto.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KvSnapshotTest {
    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static void apply(KvStateMachine sm, long index, KvCommand c) {
        sm.apply(index, c.toByteString());
    }

    private static KvCommand member(long id, String address) {
        return KvCommand.newBuilder()
                .setMember(Member.newBuilder().setNodeId(id).setRaftAddress(address))
                .build();
    }

    private static KvCommand announce(long id, String redis) {
        return KvCommand.newBuilder()
                .setAnnounce(Announce.newBuilder()
                        .setNodeId(id)
                        .setRedisAddress(redis)
                        .setHttpAddress("h" + id))
                .build();
    }

    private static byte[] write(StateSnapshot s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (s) {
            s.writeTo(out);
        }
        return out.toByteArray();
    }

    private static SnapshotMeta meta(long index) {
        return SnapshotMeta.newBuilder().setIndex(index).setTerm(3).build();
    }

    private static ByteString get(KvStateMachine sm, ByteString key) {
        var r = sm.query(KvCodec.get(key));
        return r.getNil() ? null : r.getBulk();
    }

    @Test
    void aSnapshotKeepsTheStateItWasTakenAtWhileAppliesContinue() throws IOException {
        KvStateMachine sm = new KvStateMachine();
        long i = 0;
        for (int k = 0; k < 1000; k++) {
            apply(sm, ++i, KvCodec.set(b("k" + k), b("v" + k)));
        }
        ByteString binaryKey = ByteString.copyFrom(new byte[] {0, (byte) 0xff, 10});
        apply(sm, ++i, KvCodec.set(binaryKey, ByteString.EMPTY));
        apply(sm, ++i, KvCodec.incrBy(b("n"), 41));
        apply(sm, ++i, announce(1, "r1"));
        apply(sm, ++i, member(4, "127.0.0.1:7004"));
        long at = i;
        StateSnapshot snapshot = sm.snapshot(at);

        // Applies after the capture: overwrite, delete, add, and directory changes.
        apply(sm, ++i, KvCodec.set(b("k0"), b("changed")));
        apply(sm, ++i, KvCodec.del(List.of(b("k1"), binaryKey)));
        apply(sm, ++i, KvCodec.incrBy(b("n"), 1));
        apply(sm, ++i, KvCodec.set(b("later"), b("x")));
        apply(sm, ++i, announce(1, "r1-new"));
        apply(sm, ++i, member(5, "127.0.0.1:7005"));
        byte[] bytes = write(snapshot);

        List<Member> told = new ArrayList<>();
        KvStateMachine fresh = new KvStateMachine(told::add);
        fresh.restore(meta(at), new ByteArrayInputStream(bytes));

        assertEquals(1002, fresh.query(KvCodec.dbsize()).getInteger());
        assertEquals(b("v0"), get(fresh, b("k0")));
        assertEquals(b("v1"), get(fresh, b("k1")));
        assertEquals(b("v999"), get(fresh, b("k999")));
        assertEquals(ByteString.EMPTY, get(fresh, binaryKey));
        assertEquals(b("41"), get(fresh, b("n")));
        assertEquals(null, get(fresh, b("later")));
        assertEquals("r1", fresh.announcement(1).getRedisAddress());
        assertEquals(Map.of(4L, "127.0.0.1:7004"), fresh.memberAddresses());
        assertEquals(
                List.of(Member.newBuilder()
                        .setNodeId(4)
                        .setRaftAddress("127.0.0.1:7004")
                        .build()),
                told,
                "restored member records reach the listener (the transport learns addresses)");
        assertEquals(at, fresh.appliedIndex());
        assertEquals(at, fresh.restoredIndex());

        // The original went on: it has the later state.
        assertEquals(b("changed"), get(sm, b("k0")));
        assertEquals(b("42"), get(sm, b("n")));
        assertEquals("r1-new", sm.announcement(1).getRedisAddress());
        assertEquals(at, sm.snapshotIndex());
    }

    @Test
    void restoreReplacesTheWholeStateAndTheRestoredMachineGoesOn() throws IOException {
        KvStateMachine source = new KvStateMachine();
        apply(source, 1, KvCodec.set(b("a"), b("1")));
        byte[] bytes = write(source.snapshot(1));

        KvStateMachine target = new KvStateMachine();
        apply(target, 1, KvCodec.set(b("stale"), b("x")));
        apply(target, 2, announce(9, "r9"));
        apply(target, 3, member(9, "127.0.0.1:7009"));
        target.restore(meta(1), new ByteArrayInputStream(bytes));

        assertEquals(null, get(target, b("stale")));
        assertEquals(null, target.announcement(9));
        assertEquals(Map.of(), target.memberAddresses());
        apply(target, 2, KvCodec.incrBy(b("a"), 1));
        assertEquals(b("2"), get(target, b("a")));
    }

    @Test
    void theSameStateGivesTheSameBytesWhateverTheHistory() throws IOException {
        // Each key is last written at the same index in both histories (versions are part of the state).
        KvStateMachine x = new KvStateMachine();
        KvStateMachine y = new KvStateMachine();
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            keys.add("key-" + k);
        }
        for (int k = 0; k < keys.size(); k++) {
            apply(x, k + 1, KvCodec.set(b(keys.get(k)), b(keys.get(k).toUpperCase(java.util.Locale.ROOT))));
        }
        long i = 1000;
        for (int k = keys.size() - 1; k >= 0; k--) {
            apply(y, ++i, KvCodec.set(b("junk"), b("1")));
            apply(y, k + 1, KvCodec.set(b(keys.get(k)), b(keys.get(k).toUpperCase(java.util.Locale.ROOT))));
        }
        apply(y, ++i, KvCodec.del(List.of(b("junk"))));
        assertArrayEquals(write(x.snapshot(1)), write(y.snapshot(i)));
    }

    @Test
    void badBytesAreTypedErrorsAndLeaveTheStateAlone() throws IOException {
        KvStateMachine source = new KvStateMachine();
        apply(source, 1, KvCodec.set(b("a"), b("1")));
        apply(source, 2, KvCodec.set(b("b"), b("2")));
        byte[] good = write(source.snapshot(2));

        KvStateMachine target = new KvStateMachine();
        apply(target, 1, KvCodec.set(b("mine"), b("kept")));

        byte[] badMagic = good.clone();
        badMagic[0] ^= 1;
        byte[] badVersion = good.clone();
        badVersion[7] = 99;
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        byte[] hugeLength = Arrays.copyOf(good, good.length);
        // The first key's length follows magic, version, two empty counts and the key count.
        int keyLength = 4 + 4 + 4 + 4 + 8;
        hugeLength[keyLength] = 0x7f;

        for (byte[] bad : List.of(badMagic, badVersion, trailing, hugeLength)) {
            assertThrows(KvSnapshotFormatException.class, () -> target.restore(meta(2), new ByteArrayInputStream(bad)));
        }
        assertThrows(EOFException.class, () -> target.restore(meta(2), new ByteArrayInputStream(truncated)));
        assertThrows(EOFException.class, () -> target.restore(meta(2), new ByteArrayInputStream(new byte[0])));
        assertEquals(b("kept"), get(target, b("mine")));
        assertEquals(0, target.restoredIndex());
        assertTrue(good.length > keyLength);
    }
}
