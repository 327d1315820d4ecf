package io.raftmanager.core.interaction;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The command language: maps each command name to its handler. */
final class Commands {
    private static final Map<String, Handler> HANDLERS = Map.ofEntries(
            Map.entry("add-nodes", new AddNodesHandler()),
            Map.entry("campaign", new CampaignHandler()),
            Map.entry("tick", new TickHandler()),
            Map.entry("tick-election", new TickElectionHandler()),
            Map.entry("tick-heartbeat", new TickHeartbeatHandler()),
            Map.entry("propose", new ProposeHandler()),
            Map.entry("process-ready", new ProcessReadyHandler()),
            Map.entry("deliver-msgs", new DeliverMsgsHandler()),
            Map.entry("stabilize", new StabilizeHandler()),
            Map.entry("partition", new PartitionHandler()),
            Map.entry("heal", new HealHandler()),
            Map.entry("status", new StatusHandler()),
            Map.entry("log", new LogHandler()),
            Map.entry("crash", new CrashHandler()),
            Map.entry("restart", new RestartHandler()),
            Map.entry("add-joiner", new AddJoinerHandler()),
            Map.entry("propose-conf-change", new ProposeConfChangeHandler()),
            Map.entry("transfer-leadership", new TransferLeadershipHandler()),
            Map.entry("snapshot", new SnapshotHandler()),
            Map.entry("read-index", new ReadIndexHandler()));

    private Commands() {}

    /** Runs one command line and returns its output; a command that prints nothing outputs {@code ok}. */
    static List<String> run(InteractionEnv env, String line) {
        List<String> words = Arrays.asList(line.trim().split("\\s+"));
        Handler h = HANDLERS.get(words.get(0));
        if (h == null) {
            throw new ScriptException("unknown command '" + words.get(0) + "'");
        }
        h.handle(env, new Args(words.subList(1, words.size())));
        List<String> out = env.takeOutput();
        return out.isEmpty() ? List.of("ok") : out;
    }
}
