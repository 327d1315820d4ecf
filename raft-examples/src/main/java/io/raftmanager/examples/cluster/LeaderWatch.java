package io.raftmanager.examples.cluster;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Polls every node's {@code /status} and prints the leader whenever it changes. */
final class LeaderWatch implements AutoCloseable {
    private static final Pattern ROLE = Pattern.compile("\"role\":\"(\\w+)\"");
    private static final Pattern TERM = Pattern.compile("\"term\":(\\d+)");

    private final List<ClusterCommand.Member> members;
    private final PrintStream out;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Thread thread = new Thread(this::run, "raft-kv-leader-watch");
    private volatile boolean stopped;

    LeaderWatch(List<ClusterCommand.Member> members, PrintStream out) {
        this.members = members;
        this.out = out;
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        String last = null;
        while (!stopped) {
            String now = "no leader";
            for (ClusterCommand.Member m : members) {
                String body = status(m);
                Matcher role = body == null ? null : ROLE.matcher(body);
                if (role != null && role.find() && role.group(1).equals("leader")) {
                    Matcher term = TERM.matcher(body);
                    now = "leader: node " + m.id() + " (redis " + m.redis() + ", term "
                            + (term.find() ? term.group(1) : "?") + ")";
                    break;
                }
            }
            if (!now.equals(last) && !stopped) {
                out.println(now);
                last = now;
            }
            try {
                Thread.sleep(ClusterCommand.pollInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String status(ClusterCommand.Member m) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + m.http() + "/status"))
                            .timeout(Duration.ofMillis(1000))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
