package io.raftmanager.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** The default digest: equal applied streams digest equally; any difference in index, command or result shows. */
class StreamDigestTest {
    private static long digest(long index, String command, String result) {
        StreamDigest d = new StreamDigest();
        d.add(1, ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("1"));
        d.add(index, ByteString.copyFromUtf8(command), result == null ? null : ByteString.copyFromUtf8(result));
        return d.value();
    }

    @Test
    void theSameStreamGivesTheSameDigest() {
        assertEquals(digest(2, "b", "2"), digest(2, "b", "2"));
    }

    @Test
    void aDifferentIndexCommandOrResultChangesTheDigest() {
        long reference = digest(2, "b", "2");
        assertNotEquals(reference, digest(3, "b", "2"));
        assertNotEquals(reference, digest(2, "c", "2"));
        assertNotEquals(reference, digest(2, "b", "3"));
        assertNotEquals(reference, digest(2, "b", null));
    }

    @Test
    void theOrderOfEntriesMatters() {
        StreamDigest ab = new StreamDigest();
        ab.add(1, ByteString.copyFromUtf8("a"), ByteString.EMPTY);
        ab.add(2, ByteString.copyFromUtf8("b"), ByteString.EMPTY);
        StreamDigest ba = new StreamDigest();
        ba.add(2, ByteString.copyFromUtf8("b"), ByteString.EMPTY);
        ba.add(1, ByteString.copyFromUtf8("a"), ByteString.EMPTY);
        assertNotEquals(ab.value(), ba.value());
    }
}
