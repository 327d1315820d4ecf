package io.raftmanager.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class KeySlotsTest {
    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void slotsAreRedisClusterSlots() {
        // CRC-16/XMODEM's check value, and slots redis-cli's CLUSTER KEYSLOT prints for these keys.
        assertEquals(0x31C3, KeySlots.crc16(b("123456789"), 0, 9));
        assertEquals(12182, KeySlots.slot(b("foo")));
        assertEquals(5061, KeySlots.slot(b("bar")));
        assertEquals(866, KeySlots.slot(b("hello")));
    }

    @Test
    void hashTagsCoLocateKeysAndEmptyTagsAreIgnored() {
        assertEquals(KeySlots.slot(b("user1000")), KeySlots.slot(b("{user1000}.following")));
        assertEquals(KeySlots.slot(b("{user1000}.following")), KeySlots.slot(b("{user1000}.followers")));
        assertEquals(KeySlots.slot(b("foo")), KeySlots.slot(b("x{foo}{bar}")), "the first tag only");
        assertEquals(KeySlots.slot(b("{}foo")) == KeySlots.slot(b("foo")), false, "{} is no tag");
        assertEquals(KeySlots.slot(b("{bar")), KeySlots.crc16(b("{bar"), 0, 4) & 16383, "unclosed brace");
    }

    @Test
    void groupsGetContiguousEvenSlotRanges() {
        KeySlots three = new KeySlots(3);
        int[] perGroup = new int[3];
        int last = 0;
        for (int slot = 0; slot < KeySlots.SLOTS; slot++) {
            int g = three.groupOfSlot(slot);
            assertTrue(g >= last && g < 3, "ranges are contiguous and in order");
            last = g;
            perGroup[g]++;
        }
        for (int n : perGroup) {
            assertTrue(Math.abs(n - KeySlots.SLOTS / 3) <= 1, "even: " + n);
        }
        assertEquals(0, new KeySlots(1).groupOf(b("anything")));
        assertThrows(IllegalArgumentException.class, () -> new KeySlots(0));
    }
}
