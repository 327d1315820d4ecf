package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.ArrayList;
import java.util.List;

/** LCS: the longest common subsequence by dynamic programming, with matched ranges as Redis reports them. */
final class Lcs {
    private Lcs() {}

    static Reply reply(ByteString a, ByteString b, boolean idx, boolean len, boolean withLen, long minLen) {
        int n = a.size();
        int m = b.size();
        int[][] t = new int[n + 1][m + 1];
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                t[i][j] = a.byteAt(i - 1) == b.byteAt(j - 1) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        int total = t[n][m];
        if (len) {
            return R.integer(total);
        }
        byte[] common = new byte[total];
        List<Reply> matches = new ArrayList<>();
        // Walk back from the end; a range grows while matches stay contiguous in both strings and is
        // reported when it breaks (Redis reports ranges in this order, last first).
        int i = n;
        int j = m;
        int k = total;
        int aStart = -1;
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a.byteAt(i - 1) == b.byteAt(j - 1)) {
                common[--k] = a.byteAt(i - 1);
                if (aStart < 0) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                i--;
                j--;
            } else {
                if (t[i - 1][j] > t[i][j - 1]) {
                    i--;
                } else {
                    j--;
                }
                emit = aStart >= 0;
            }
            if (emit) {
                int matchLen = aEnd - aStart + 1;
                if (minLen == 0 || matchLen >= minLen) {
                    List<Reply> range = new ArrayList<>();
                    range.add(R.array(List.of(R.integer(aStart), R.integer(aEnd))));
                    range.add(R.array(List.of(R.integer(bStart), R.integer(bEnd))));
                    if (withLen) {
                        range.add(R.integer(matchLen));
                    }
                    matches.add(R.array(range));
                }
                aStart = -1;
            }
        }
        if (!idx) {
            return R.bulk(ByteString.copyFrom(common));
        }
        return R.map(List.of(R.bulk("matches"), R.array(matches), R.bulk("len"), R.integer(total)));
    }
}
