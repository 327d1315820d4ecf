package io.raftmanager.node;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of a snapshot's bytes: a small header of named runtime sections ({@link SnapshotPart}s),
 * then the user's state machine bytes to the end of the stream.
 *
 * <pre>
 *   int magic "RMSN" | byte version (1) | int sectionCount
 *   sectionCount x ( UTF name | int length | bytes )
 *   state machine bytes ... (to the end)
 * </pre>
 */
final class SnapshotFormat {
    static final int MAGIC = 0x524D534E;
    static final int VERSION = 1;
    /** Sections are meant to be small; a larger one is a corrupted header. */
    static final int MAX_SECTION_BYTES = 256 << 20;

    private SnapshotFormat() {}

    /** Captures every part now (on the applier thread), as the header's sections. */
    static Map<String, byte[]> capture(List<SnapshotPart> parts) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (SnapshotPart p : parts) {
            out.put(p.name(), p.capture());
        }
        return out;
    }

    static void writeHeader(OutputStream out, Map<String, byte[]> sections) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeByte(VERSION);
        d.writeInt(sections.size());
        for (Map.Entry<String, byte[]> s : sections.entrySet()) {
            d.writeUTF(s.getKey());
            d.writeInt(s.getValue().length);
            d.write(s.getValue());
        }
        d.flush();
    }

    /**
     * Reads the header from {@code in} (without reading past it) and restores the parts; {@code in} is
     * then positioned at the state machine's bytes.
     */
    static void readHeader(InputStream in, List<SnapshotPart> parts) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int magic = d.readInt();
        if (magic != MAGIC) {
            throw new IOException("not a raft-manager snapshot: magic " + Integer.toHexString(magic));
        }
        int version = d.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("snapshot format version " + version + " is not supported (" + VERSION + ")");
        }
        int count = d.readInt();
        Map<String, byte[]> sections = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = d.readUTF();
            int length = d.readInt();
            if (length < 0 || length > MAX_SECTION_BYTES) {
                throw new IOException("snapshot section " + name + " has length " + length);
            }
            sections.put(name, d.readNBytes(length));
        }
        for (SnapshotPart p : parts) {
            p.restore(sections.get(p.name()));
        }
    }
}
