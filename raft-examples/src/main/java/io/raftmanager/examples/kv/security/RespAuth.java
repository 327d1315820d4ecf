package io.raftmanager.examples.kv.security;

import java.util.List;
import java.util.Locale;

/**
 * Redis's {@code requirepass} rules for one node, answered exactly as Redis 7 answers them: a connection
 * must authenticate before any command but {@code AUTH}, {@code HELLO}, {@code QUIT} and {@code RESET} (which
 * also signs the connection out); unknown commands and wrong arities are reported before the check, as Redis
 * does. Only the {@code
 * default} user exists. Stateless: each connection keeps its own "authenticated" flag. Replies are the
 * error text without the leading '-'.
 */
public final class RespAuth {
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated,"
            + " otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the"
            + " RESP protocol version at the same time";
    public static final String NO_PASSWORD_SET = "ERR AUTH <password> called without any password configured for"
            + " the default user. Are you sure your configuration is correct?";
    public static final String WRONG_ARITY = "ERR wrong number of arguments for 'auth' command";
    public static final String SYNTAX = "ERR syntax error";
    public static final String DEFAULT_USER = "default";

    private final Secret password;

    /** @param password the password, or null when none is required (every connection starts authenticated) */
    public RespAuth(Secret password) {
        this.password = password;
    }

    /** True when connections must authenticate. */
    public boolean required() {
        return password != null;
    }

    /** Whether a connection that has not authenticated may run {@code command} (any case). */
    public static boolean allowedBeforeAuth(String command) {
        String c = command.toUpperCase(Locale.ROOT);
        return c.equals("AUTH") || c.equals("HELLO") || c.equals("QUIT") || c.equals("RESET");
    }

    /**
     * The outcome of {@code AUTH} with {@code args} (the arguments after the command name): null for
     * success, else the error to answer.
     */
    public String auth(List<byte[]> args) {
        if (args.isEmpty()) {
            return WRONG_ARITY;
        }
        if (args.size() > 2) {
            return SYNTAX;
        }
        return check(
                args.size() == 2 ? new String(args.get(0), java.nio.charset.StandardCharsets.UTF_8) : null,
                args.get(args.size() - 1));
    }

    /**
     * Checks a user name (null for the one-argument form) and password as {@code AUTH} and {@code HELLO
     * ... AUTH} do: null for success, else the error.
     */
    public String check(String user, byte[] pass) {
        if (password == null) {
            // Redis: the nopass default user takes any password with a user name, none without.
            return user == null ? NO_PASSWORD_SET : (user.equals(DEFAULT_USER) ? null : WRONGPASS);
        }
        boolean userOk = user == null || user.equals(DEFAULT_USER);
        boolean passOk = password.matches(pass); // always compared, so timing says nothing about the user name
        return userOk && passOk ? null : WRONGPASS;
    }

    /** The password, for this node's own forwarding connections to the leader (never logged). */
    public Secret password() {
        return password;
    }
}
