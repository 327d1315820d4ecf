package io.raftmanager.testkit.linearizability;

import io.raftmanager.testkit.linearizability.KvModel.Input;
import io.raftmanager.testkit.linearizability.KvModel.Output;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Parsers for the Jepsen and Porcupine histories under {@code src/test/resources/linearizability}. Times
 * are line numbers: those logs carry only the order of events.
 */
final class ReferenceHistories {

    /** One history with the verdict it is known to have. */
    record Named(String name, boolean linearizable, List<Operation<Input, Output>> history) {}

    private static final String REGISTER = "r";
    private static final Pattern JEPSEN =
            Pattern.compile("jepsen\\.util - (\\d+)\\s+:(invoke|ok|fail|info)\\s+:(read|write|cas)\\s*(.*)$");
    private static final Pattern EDN = Pattern.compile(
            "\\{:process (\\d+), :type :(invoke|ok), :f :(get|put|append), :key \"([^\"]*)\", :value (nil|\"[^\"]*\")}");

    private ReferenceHistories() {}

    /** The 102 Jepsen etcd histories, each a single compare-and-set register. */
    static List<Named> jepsenEtcd() {
        List<Named> result = new ArrayList<>();
        String name = null;
        boolean verdict = false;
        List<String> lines = new ArrayList<>();
        for (String line : readGzip("jepsen-etcd.log.gz")) {
            if (line.startsWith("## ")) {
                if (name != null) {
                    result.add(new Named(name, verdict, parseJepsen(name, lines)));
                }
                String[] header = line.substring(3).split(" ");
                name = header[0];
                verdict = parseVerdict(header[1]);
                lines.clear();
            } else {
                lines.add(line);
            }
        }
        result.add(new Named(name, verdict, parseJepsen(name, lines)));
        return result;
    }

    private static boolean parseVerdict(String word) {
        return switch (word) {
            case "linearizable" -> true;
            case "not-linearizable" -> false;
            default -> throw new IllegalArgumentException("unknown verdict " + word);
        };
    }

    private record Pending(Input input, long call) {}

    static List<Operation<Input, Output>> parseJepsen(String name, List<String> lines) {
        List<Operation<Input, Output>> ops = new ArrayList<>();
        Map<Integer, Pending> pending = new HashMap<>();
        long time = 0;
        for (String line : lines) {
            time++;
            Matcher m = JEPSEN.matcher(line);
            if (!m.find()) {
                continue;
            }
            int process = Integer.parseInt(m.group(1));
            String type = m.group(2);
            String f = m.group(3);
            String value = m.group(4).trim();
            if (type.equals("invoke")) {
                pending.put(process, new Pending(jepsenInput(f, value), time));
                continue;
            }
            Pending p = pending.remove(process);
            if (p == null) {
                throw new IllegalArgumentException(name + ": completion without invocation: " + line);
            }
            ops.add(
                    switch (type) {
                        case "ok" -> Operation.ok(process, p.input(), jepsenOk(f, value), p.call(), time);
                        // A failed CAS is a definite answer: the comparison failed, nothing was written.
                        case "fail" ->
                            f.equals("cas")
                                    ? Operation.ok(process, p.input(), Output.cas(false), p.call(), time)
                                    : Operation.failed(process, p.input(), p.call(), time);
                        default -> Operation.unknown(process, p.input(), p.call());
                    });
        }
        // Invocations that never completed may or may not have happened.
        pending.forEach((process, p) -> ops.add(Operation.unknown(process, p.input(), p.call())));
        return ops;
    }

    private static Input jepsenInput(String f, String value) {
        return switch (f) {
            case "read" -> KvModel.get(REGISTER);
            case "write" -> KvModel.put(REGISTER, value);
            default -> {
                String[] pair = value.replace("[", "").replace("]", "").trim().split("\\s+");
                yield KvModel.cas(REGISTER, pair[0], pair[1]);
            }
        };
    }

    private static Output jepsenOk(String f, String value) {
        return switch (f) {
            case "read" -> Output.value(value.equals("nil") || value.isEmpty() ? null : value);
            case "write" -> Output.done();
            default -> Output.cas(true);
        };
    }

    /** A Porcupine key-value history (get, put, append on string registers). */
    static List<Operation<Input, Output>> parseKv(String resource) {
        List<Operation<Input, Output>> ops = new ArrayList<>();
        Map<Integer, Pending> pending = new HashMap<>();
        long time = 0;
        for (String line : readGzip(resource)) {
            time++;
            Matcher m = EDN.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException(resource + ": unparsed line " + line);
            }
            int process = Integer.parseInt(m.group(1));
            String f = m.group(3);
            String key = m.group(4);
            String value = m.group(5).equals("nil")
                    ? null
                    : m.group(5).substring(1, m.group(5).length() - 1);
            if (m.group(2).equals("invoke")) {
                Input in = switch (f) {
                    case "get" -> KvModel.get(key);
                    case "put" -> KvModel.put(key, value);
                    default -> KvModel.append(key, value);
                };
                pending.put(process, new Pending(in, time));
            } else {
                Pending p = pending.remove(process);
                // These histories read an absent key as "" and never write "", so "" means absent.
                Output out =
                        f.equals("get") ? Output.value(value == null || value.isEmpty() ? null : value) : Output.done();
                ops.add(Operation.ok(process, p.input(), out, p.call(), time));
            }
        }
        pending.forEach((process, p) -> ops.add(Operation.unknown(process, p.input(), p.call())));
        return ops;
    }

    private static List<String> readGzip(String resource) {
        String path = "/linearizability/" + resource;
        try (InputStream raw = ReferenceHistories.class.getResourceAsStream(path)) {
            if (raw == null) {
                throw new IllegalArgumentException("missing test resource " + path);
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
