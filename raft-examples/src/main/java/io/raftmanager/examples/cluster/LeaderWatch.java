package io.raftmanager.examples.cluster;

import io.raftmanager.examples.kv.admin.Json;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Polls every node's {@code /status} and prints the leader whenever it changes. */
final class LeaderWatch implements AutoCloseable {

    private final List<ClusterCommand.Member> members;
    private final PrintStream out;
    private final HttpClient http;
    private final String scheme;
    private final io.raftmanager.examples.kv.security.Secret token;
    private final Thread thread = new Thread(this::run, "raft-kv-leader-watch");
    private volatile boolean stopped;

    /**
     * @param tls trust for an HTTPS admin API, or null for plain HTTP
     * @param token the admin bearer token, or null for none
     */
    LeaderWatch(
            List<ClusterCommand.Member> members,
            PrintStream out,
            javax.net.ssl.SSLContext tls,
            io.raftmanager.examples.kv.security.Secret token) {
        this.members = members;
        this.out = out;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
        this.scheme = tls == null ? "http://" : "https://";
        this.token = token;
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
                if (body != null && "leader".equals(Json.field(body, "role"))) {
                    Object term = Json.field(body, "term");
                    now = "leader: node " + m.id() + " (redis " + m.redis() + ", term " + (term == null ? "?" : term)
                            + ")";
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
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(scheme + m.http() + "/status?groups=summary"))
                    .timeout(Duration.ofMillis(1000));
            if (token != null) {
                request.header("Authorization", "Bearer " + token.reveal());
            }
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
