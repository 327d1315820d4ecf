package io.raftmanager.core.interaction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The arguments of one command line: positional words, then {@code key=value} options. */
final class Args {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    Args(List<String> words) {
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                options.put(w.substring(0, eq), w.substring(eq + 1));
            } else if (options.isEmpty()) {
                positional.add(w);
            } else {
                throw new ScriptException("positional argument '" + w + "' after options");
            }
        }
    }

    int count() {
        return positional.size();
    }

    String word(int i) {
        if (i >= positional.size()) {
            throw new ScriptException("missing argument " + (i + 1));
        }
        return positional.get(i);
    }

    long id(int i) {
        return parseLong(word(i));
    }

    /** Every positional argument from {@code from} on, as node ids. */
    List<Long> ids(int from) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < positional.size(); i++) {
            out.add(parseLong(positional.get(i)));
        }
        return out;
    }

    long longOption(String key, long dflt) {
        used.add(key);
        String v = options.get(key);
        return v == null ? dflt : parseLong(v);
    }

    String wordOption(String key, String dflt) {
        used.add(key);
        return options.getOrDefault(key, dflt);
    }

    boolean boolOption(String key, boolean dflt) {
        used.add(key);
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new ScriptException(key + "=" + v + " is not a boolean");
        }
        return Boolean.parseBoolean(v);
    }

    /** A comma-separated id list option such as {@code drop=2,3}; empty if absent. */
    Set<Long> idSetOption(String key) {
        used.add(key);
        String v = options.get(key);
        return v == null ? Set.of() : parseIdSet(v);
    }

    static Set<Long> parseIdSet(String csv) {
        Set<Long> out = new java.util.TreeSet<>();
        for (String s : csv.split(",")) {
            out.add(parseLong(s));
        }
        return out;
    }

    /** Call after reading: rejects options the command does not know and surplus positional words. */
    void done(int maxPositional) {
        for (String k : options.keySet()) {
            if (!used.contains(k)) {
                throw new ScriptException("unknown option " + k);
            }
        }
        if (positional.size() > maxPositional) {
            throw new ScriptException("too many arguments: " + positional);
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ScriptException("not a number: '" + s + "'");
        }
    }
}
