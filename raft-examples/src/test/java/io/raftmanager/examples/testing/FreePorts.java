package io.raftmanager.examples.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for test servers, taken below the kernel's ephemeral range (32768 and up on Linux). A port the
 * kernel handed out as ephemeral can be reused as the source port of any outgoing connection in the
 * meantime, so a node restarted on it could fail with "address already in use"; ports below that range
 * are never handed out implicitly. No port is handed out twice in one JVM: a test that picks ports for a node
 * it starts later must not get one that another of its nodes (running, or stopped for a restart) owns.
 */
public final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A port on 127.0.0.1 that could be bound just now. */
    public static int next() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException busy) {
                HANDED_OUT.remove(port); // taken by someone else: try another
            }
        }
        throw new IllegalStateException("no free port between " + LOW + " and " + HIGH);
    }
}
