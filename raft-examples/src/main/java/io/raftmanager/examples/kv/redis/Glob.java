package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;

/** Redis' glob-style pattern matching (KEYS, SCAN MATCH): *, ?, [abc], [^a-z] and \ escapes. */
public final class Glob {
    private Glob() {}

    /** Redis stops matching past this many nested stars and answers "no match"; so does this. */
    static final int MAX_STARS = 1000;

    public static boolean matches(ByteString pattern, ByteString s) {
        // Iterative, backtracking only to the last '*': O(pattern x string) at worst, where the recursive
        // form is exponential for patterns like "a*a*a*...b" (the node answers on its event loop).
        int pn = pattern.size();
        int sn = s.size();
        int stars = 0;
        for (int i = 0; i < pn; i++) {
            if (pattern.byteAt(i) == '*' && (i == 0 || pattern.byteAt(i - 1) != '*')) {
                stars++;
            }
        }
        if (stars > MAX_STARS) {
            return false;
        }
        int pi = 0;
        int si = 0;
        int starP = -1;
        int starS = 0;
        while (si < sn) {
            if (pi < pn && pattern.byteAt(pi) == '*') {
                while (pi < pn && pattern.byteAt(pi) == '*') {
                    pi++;
                }
                if (pi == pn) {
                    return true;
                }
                starP = pi;
                starS = si;
                continue;
            }
            int next = pi < pn ? single(pattern, pi, s.byteAt(si) & 0xff) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starP >= 0) {
                pi = starP;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < pn && pattern.byteAt(pi) == '*') {
            pi++;
        }
        return pi == pn;
    }

    /**
     * Matches one string byte against the pattern element at {@code pi} ('?', a class, an escaped or a
     * literal byte); returns the index after the element, or -1 if it does not match.
     */
    private static int single(ByteString p, int pi, int ch) {
        int pn = p.size();
        byte c = p.byteAt(pi);
        if (c == '?') {
            return pi + 1;
        }
        if (c == '[') {
            pi++;
            boolean not = pi < pn && p.byteAt(pi) == '^';
            if (not) {
                pi++;
            }
            boolean hit = false;
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
            // pi is at ']' or past the end (an unterminated class ends with the pattern, as in Redis)
            return hit != not ? Math.min(pi + 1, pn) : -1;
        }
        if (c == '\\' && pi + 1 < pn) {
            pi++;
            c = p.byteAt(pi);
        }
        return (c & 0xff) == ch ? pi + 1 : -1;
    }
}
