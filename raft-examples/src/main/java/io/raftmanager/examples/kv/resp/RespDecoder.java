package io.raftmanager.examples.kv.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes client requests as Redis does: multibulk ({@code *N} then N {@code $len} bulk strings) or an
 * inline command (a line split like a shell: spaces separate, quotes group, backslash escapes). Its
 * protocol errors carry Redis' messages ("invalid multibulk length", "expected '$', got 'x'", "invalid
 * bulk length", "unbalanced quotes in request", "too big inline request"); after one it drops the rest
 * of the connection's input. A bulk string longer than the configured limit is refused before it is
 * buffered. A request waits in the buffer until complete; each attempt re-reads its headers only.
 */
final class RespDecoder extends ByteToMessageDecoder {
    /** The longest inline request or multibulk header line, as in Redis. */
    static final int MAX_INLINE = 64 * 1024;

    /** One decoded request. */
    record Request(List<byte[]> args) {}

    /** A protocol error to answer before closing. */
    record ProtocolError(String message) {}

    private final int maxBulkBytes;
    private boolean failed;

    RespDecoder(int maxBulkBytes) {
        this.maxBulkBytes = maxBulkBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            int start = in.readerIndex();
            Object r;
            try {
                r = in.getByte(start) == '*' ? multibulk(in) : inline(in);
            } catch (Refused e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                out.add(new ProtocolError(e.getMessage()));
                return;
            }
            if (r == null) {
                in.readerIndex(start); // incomplete: wait for more bytes
                return;
            }
            if (r instanceof Request) {
                out.add(r);
            }
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** A protocol violation; its message is Redis' text. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The index of the '\n' ending the line at the reader index, or -1. */
    private static int lineEnd(ByteBuf in) {
        return in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    }

    private Object multibulk(ByteBuf in) throws Refused {
        int eol = lineEnd(in);
        if (eol < 0) {
            if (in.readableBytes() > MAX_INLINE) {
                throw new Refused("too big mbulk count string");
            }
            return null;
        }
        Long count = parseLong(in, in.readerIndex() + 1, lineStop(in, eol));
        if (count == null || count > Integer.MAX_VALUE) {
            throw new Refused("invalid multibulk length");
        }
        in.readerIndex(eol + 1);
        if (count <= 0) {
            return Boolean.TRUE; // an empty request: no reply
        }
        List<byte[]> args = new ArrayList<>((int) Math.min(count, 1024));
        for (long i = 0; i < count; i++) {
            if (!in.isReadable()) {
                return null;
            }
            byte type = in.getByte(in.readerIndex());
            if (type != '$') {
                throw new Refused("expected '$', got '" + (char) (type & 0xff) + "'");
            }
            int end = lineEnd(in);
            if (end < 0) {
                if (in.readableBytes() > MAX_INLINE) {
                    throw new Refused("too big bulk count string");
                }
                return null;
            }
            Long len = parseLong(in, in.readerIndex() + 1, lineStop(in, end));
            if (len == null || len < 0 || len > maxBulkBytes) {
                throw new Refused("invalid bulk length");
            }
            if (in.writerIndex() - (end + 1) < len + 2) {
                return null;
            }
            byte[] arg = new byte[len.intValue()];
            in.getBytes(end + 1, arg);
            in.readerIndex(end + 1 + len.intValue() + 2);
            args.add(arg);
        }
        return new Request(args);
    }

    /** Where a line's content stops: before "\r\n" or "\n". */
    private static int lineStop(ByteBuf in, int eol) {
        return eol > in.readerIndex() && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
    }

    private Object inline(ByteBuf in) throws Refused {
        int eol = lineEnd(in);
        if (eol < 0) {
            if (in.readableBytes() > MAX_INLINE) {
                throw new Refused("too big inline request");
            }
            return null;
        }
        byte[] line = new byte[lineStop(in, eol) - in.readerIndex()];
        in.getBytes(in.readerIndex(), line);
        in.readerIndex(eol + 1);
        List<byte[]> args = splitArgs(line);
        if (args == null) {
            throw new Refused("unbalanced quotes in request");
        }
        return args.isEmpty() ? Boolean.TRUE : new Request(args);
    }

    private static Long parseLong(ByteBuf in, int from, int to) {
        if (to <= from || to - from > 20) {
            return null;
        }
        byte[] digits = new byte[to - from];
        in.getBytes(from, digits);
        java.util.OptionalLong v =
                io.raftmanager.examples.kv.KvCodec.parseLong(com.google.protobuf.ByteString.copyFrom(digits));
        return v.isPresent() ? v.getAsLong() : null;
    }

    /**
     * Splits an inline line as Redis' sdssplitargs does; null for unbalanced quotes (or a closing quote
     * not followed by a space).
     */
    static List<byte[]> splitArgs(byte[] line) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        int n = line.length;
        while (true) {
            while (i < n && isSpace(line[i])) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                if (inDouble) {
                    if (i >= n) {
                        return null;
                    }
                    byte c = line[i];
                    if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
                        cur.write(Integer.parseInt(new String(line, i + 2, 2, StandardCharsets.US_ASCII), 16));
                        i += 3;
                    } else if (c == '\\' && i + 1 < n) {
                        i++;
                        byte e = line[i];
                        cur.write(
                                e == 'n'
                                        ? '\n'
                                        : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'a' ? 7 : e);
                    } else if (c == '"') {
                        if (i + 1 < n && !isSpace(line[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else if (inSingle) {
                    if (i >= n) {
                        return null;
                    }
                    byte c = line[i];
                    if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
                        i++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (i + 1 < n && !isSpace(line[i + 1])) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else {
                    if (i >= n) {
                        break;
                    }
                    byte c = line[i];
                    if (isSpace(c)) {
                        done = true;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        cur.write(c);
                    }
                }
                if (i < n) {
                    i++;
                }
            }
            out.add(cur.toByteArray());
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
