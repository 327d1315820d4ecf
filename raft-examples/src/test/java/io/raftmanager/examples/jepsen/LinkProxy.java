package io.raftmanager.examples.jepsen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One directed Raft link, node {@code from} to node {@code to}: a TCP proxy on 127.0.0.1 that the sender
 * dials instead of the receiver. The Netty transport sends each direction over its own connection, so
 * cutting this proxy silences exactly the messages from {@code from} to {@code to}.
 *
 * <p>A cut closes the open connections and refuses new ones (accept, then close) rather than dropping
 * bytes: dropping part of a TCP stream would corrupt its length-prefixed frames, which is not a fault a
 * real network produces. Delay holds every chunk for a fixed time; a rate limit paces the bytes.
 */
final class LinkProxy implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    final long from;
    final long to;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile long delayNanos;
    private volatile long bytesPerSecond;
    private volatile boolean closed;

    LinkProxy(long from, long to, InetSocketAddress target) throws IOException {
        this.from = from;
        this.to = to;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "proxy-" + from + "->" + to);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    boolean isCut() {
        return cut;
    }

    /** Stops the link: open connections are closed and new ones refused until {@link #heal}. */
    void cut() {
        cut = true;
        closeConnections();
    }

    /** Restores the link and removes delay and rate limits. */
    void heal() {
        cut = false;
        delayNanos = 0;
        bytesPerSecond = 0;
    }

    void delay(long millis) {
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Paces forwarded bytes to {@code bps} per second; 0 lifts the limit. */
    void rate(long bps) {
        bytesPerSecond = bps;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                quietClose(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                quietClose(client); // the receiver is down: the sender sees a broken connection, as without us
                quietClose(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            startPump(client, upstream, true);
            startPump(upstream, client, false);
        }
    }

    private void startPump(Socket in, Socket out, boolean forward) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        String name = "proxy-" + from + "->" + to + (forward ? "" : "-back");
        Thread reader = new Thread(() -> read(in, out, queue), name + "-read");
        Thread writer = new Thread(() -> write(in, out, queue), name + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void read(Socket in, Socket out, LinkedBlockingQueue<Chunk> queue) {
        byte[] buf = new byte[CHUNK];
        try {
            InputStream is = in.getInputStream();
            int n;
            while ((n = is.read(buf)) >= 0) {
                queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
            }
        } catch (IOException e) {
            // closed by a cut, by the peer, or by close()
        }
        queue.add(Chunk.EOF);
    }

    private void write(Socket in, Socket out, LinkedBlockingQueue<Chunk> queue) {
        try {
            OutputStream os = out.getOutputStream();
            while (true) {
                Chunk c = queue.take();
                if (c == Chunk.EOF) {
                    break;
                }
                long wait = c.due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long bps = bytesPerSecond;
                if (bps > 0) {
                    TimeUnit.NANOSECONDS.sleep(TimeUnit.SECONDS.toNanos(c.bytes.length) / bps);
                }
                if (cut) {
                    break; // bytes read before the cut are not delivered after it
                }
                os.write(c.bytes);
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
        quietClose(in);
        quietClose(out);
    }

    private void closeConnections() {
        for (Socket s : open) {
            quietClose(s);
        }
        open.clear();
    }

    private void quietClose(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        closeConnections();
    }

    private record Chunk(long due, byte[] bytes) {
        static final Chunk EOF = new Chunk(0, new byte[0]);
    }
}
