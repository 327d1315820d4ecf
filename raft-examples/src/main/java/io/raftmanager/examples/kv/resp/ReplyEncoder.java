package io.raftmanager.examples.kv.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmanager.examples.kv.proto.Reply;
import io.raftmanager.examples.kv.proto.ReplyList;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link Reply} as RESP2 or RESP3 (Netty's codec has no RESP3 types). RESP3 maps, sets,
 * nulls and doubles degrade in RESP2 as Redis degrades them: flat arrays, arrays, null bulk strings
 * (null arrays for null arrays) and bulk strings.
 */
final class ReplyEncoder {
    private static final byte[] CRLF = {'\r', '\n'};

    private ReplyEncoder() {}

    static ByteBuf encode(Reply r, int proto, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(64);
        write(out, r, proto == 3);
        return out;
    }

    private static void write(ByteBuf out, Reply r, boolean resp3) {
        switch (r.getRCase()) {
            case STATUS -> line(out, '+', r.getStatus());
            case ERROR -> line(out, '-', r.getError().replace('\r', ' ').replace('\n', ' '));
            case INTEGER -> line(out, ':', Long.toString(r.getInteger()));
            case BULK -> {
                line(out, '$', Integer.toString(r.getBulk().size()));
                out.writeBytes(r.getBulk().asReadOnlyByteBuffer());
                out.writeBytes(CRLF);
            }
            case NIL -> out.writeBytes(resp3 ? bytes("_\r\n") : bytes("$-1\r\n"));
            case NULL_ARRAY -> out.writeBytes(resp3 ? bytes("_\r\n") : bytes("*-1\r\n"));
            case DOUBLE -> {
                String d = formatDouble(r.getDouble());
                if (resp3) {
                    line(out, ',', d);
                } else {
                    line(out, '$', Integer.toString(d.length()));
                    line(out, d);
                }
            }
            case ARRAY -> array(out, r.getArray(), resp3);
            case MAP -> {
                ReplyList l = r.getMap();
                line(out, resp3 ? '%' : '*', Integer.toString(resp3 ? l.getItemsCount() / 2 : l.getItemsCount()));
                for (Reply item : l.getItemsList()) {
                    write(out, item, resp3);
                }
            }
            case SET -> {
                ReplyList l = r.getSet();
                line(out, resp3 ? '~' : '*', Integer.toString(l.getItemsCount()));
                for (Reply item : l.getItemsList()) {
                    write(out, item, resp3);
                }
            }
            default -> line(out, '-', "ERR empty reply");
        }
    }

    private static void array(ByteBuf out, ReplyList l, boolean resp3) {
        if (l.getPairs() && resp3) {
            line(out, '*', Integer.toString(l.getItemsCount() / 2));
            for (int i = 0; i + 1 < l.getItemsCount(); i += 2) {
                line(out, '*', "2");
                write(out, l.getItems(i), true);
                write(out, l.getItems(i + 1), true);
            }
            return;
        }
        line(out, '*', Integer.toString(l.getItemsCount()));
        for (Reply item : l.getItemsList()) {
            write(out, item, resp3);
        }
    }

    /** As Redis prints doubles (%.17g): shortest form, "inf", "-inf", "nan". */
    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d);
        }
        return new BigDecimal(d).round(new MathContext(17)).stripTrailingZeros().toString();
    }

    private static void line(ByteBuf out, char type, String s) {
        out.writeByte(type);
        line(out, s);
    }

    private static void line(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
