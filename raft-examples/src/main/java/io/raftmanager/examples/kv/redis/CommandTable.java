package io.raftmanager.examples.kv.redis;

import com.google.protobuf.ByteString;
import io.raftmanager.examples.kv.proto.Reply;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every command raft-kv knows, by lower-case name: it drives dispatch, arity errors, routing (write,
 * read or connection-local) and COMMAND INFO. Each family registers its commands from its own file.
 */
public final class CommandTable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandTable.class);
    private static final CommandTable INSTANCE = build();

    private final Map<String, CommandSpec> byName = new TreeMap<>();

    private CommandTable() {}

    public static CommandTable get() {
        return INSTANCE;
    }

    private static CommandTable build() {
        CommandTable t = new CommandTable();
        KeyCommands.register(t);
        ExpireCommands.register(t);
        StringCommands.register(t);
        HashCommands.register(t);
        CollectionCommands.register(t);
        SortedSetCommands.register(t);
        StreamCommands.register(t);
        ServerCommands.register(t);
        ScriptCommands.register(t);
        BlockingCommands.register(t);
        return t;
    }

    /** Registers a command; {@code keys} is {first, last, step} (empty for none). */
    void add(String name, int arity, String group, int[] keys, Handler handler, Flag... flags) {
        CommandSpec spec = new CommandSpec(
                name,
                arity,
                CommandSpec.flags(flags),
                keys.length > 0 ? keys[0] : 0,
                keys.length > 1 ? keys[1] : 0,
                keys.length > 2 ? keys[2] : 0,
                handler,
                group);
        if (byName.put(name, spec) != null) {
            throw new IllegalStateException("command registered twice: " + name);
        }
    }

    static int[] key1() {
        return new int[] {1, 1, 1};
    }

    static int[] keysFrom1() {
        return new int[] {1, -1, 1};
    }

    static int[] none() {
        return new int[0];
    }

    public CommandSpec lookup(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    public CommandSpec lookup(ByteString name) {
        return lookup(name.toStringUtf8());
    }

    public Collection<CommandSpec> all() {
        return byName.values();
    }

    /**
     * Runs one command against the data. Unknown commands and arity errors answer as Redis does (they are
     * normally caught before the log; a command here can only be unknown after a downgrade). A handler
     * that throws is a bug: every replica throws alike, so the error reply is still deterministic.
     */
    public Reply run(Ctx c, List<ByteString> argv) {
        CommandSpec spec = lookup(argv.get(0));
        if (spec == null || spec.handler() == null) {
            return R.error("ERR unknown command '" + argv.get(0).toStringUtf8() + "'");
        }
        if (!spec.arityOk(argv.size())) {
            return R.wrongArity(spec.name());
        }
        if (!c.writable() && spec.is(Flag.WRITE)) {
            return R.error("ERR write command in a read");
        }
        try {
            return spec.handler().run(c, argv);
        } catch (StringCommands.WrongType e) {
            return R.WRONGTYPE;
        } catch (RuntimeException e) {
            LOG.error("command {} failed", spec.name(), e);
            return R.error("ERR internal error in '" + spec.name() + "'");
        }
    }
}
