package io.raftmanager.examples.kv.redis;

import java.util.EnumSet;
import java.util.Set;

/**
 * One command as the table knows it (Redis' command table fields).
 *
 * @param name lower case
 * @param arity Redis' convention: N means exactly N arguments including the name, -N at least N
 * @param firstKey position of the first key (0 if none); lastKey -1 means the last argument
 * @param handler what runs it against the data; null for commands answered by the connection alone
 * @param group the documentation group (COMMAND DOCS)
 */
public record CommandSpec(
        String name, int arity, Set<Flag> flags, int firstKey, int lastKey, int step, Handler handler, String group) {

    public boolean is(Flag f) {
        return flags.contains(f);
    }

    public boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    static Set<Flag> flags(Flag... fs) {
        EnumSet<Flag> s = EnumSet.noneOf(Flag.class);
        s.addAll(java.util.Arrays.asList(fs));
        return java.util.Collections.unmodifiableSet(s);
    }
}
