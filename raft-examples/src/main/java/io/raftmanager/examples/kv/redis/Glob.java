package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;

/** Redis' glob-style pattern matching (KEYS, SCAN MATCH): *, ?, [abc], [^a-z] and \ escapes. */
public final class Glob {
    private Glob() {}

    public static boolean matches(ByteString pattern, ByteString s) {
        return match(pattern, 0, s, 0, 0);
    }

    private static boolean match(ByteString p, int pi, ByteString s, int si, int depth) {
        if (depth > 1000) {
            return false; // a pattern with this many stars is hostile; Redis bounds the recursion too
        }
        int pn = p.size();
        int sn = s.size();
        while (pi < pn) {
            byte c = p.byteAt(pi);
            switch (c) {
                case '*':
                    while (pi + 1 < pn && p.byteAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == pn) {
                        return true;
                    }
                    for (int k = si; k <= sn; k++) {
                        if (match(p, pi + 1, s, k, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (si >= sn) {
                        return false;
                    }
                    si++;
                    break;
                case '[': {
                    if (si >= sn) {
                        return false;
                    }
                    pi++;
                    boolean not = pi < pn && p.byteAt(pi) == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    int ch = s.byteAt(si) & 0xff;
                    while (pi < pn && p.byteAt(pi) != ']') {
                        int pc = p.byteAt(pi) & 0xff;
                        if (pc == '\\' && pi + 1 < pn) {
                            pi++;
                            hit |= (p.byteAt(pi) & 0xff) == ch;
                        } else if (pi + 2 < pn && p.byteAt(pi + 1) == '-' && p.byteAt(pi + 2) != ']') {
                            int lo = pc;
                            int hi = p.byteAt(pi + 2) & 0xff;
                            if (lo > hi) {
                                int t = lo;
                                lo = hi;
                                hi = t;
                            }
                            hit |= ch >= lo && ch <= hi;
                            pi += 2;
                        } else {
                            hit |= pc == ch;
                        }
                        pi++;
                    }
                    if (pi >= pn) {
                        pi = pn - 1; // unterminated: Redis treats the end as closing it
                    }
                    if (hit == not) {
                        return false;
                    }
                    si++;
                    break;
                }
                default:
                    if (c == '\\' && pi + 1 < pn) {
                        pi++;
                        c = p.byteAt(pi);
                    }
                    if (si >= sn || s.byteAt(si) != c) {
                        return false;
                    }
                    si++;
                    break;
            }
            pi++;
        }
        return si == sn;
    }
}
