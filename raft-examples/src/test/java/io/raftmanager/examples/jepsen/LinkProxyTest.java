package io.raftmanager.examples.jepsen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkProxyTest {
    private ServerSocket echo;
    private LinkProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // closed
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = new LinkProxy(1, 2, new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(5_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(sent);
        return s.getInputStream().readNBytes(sent.length);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), roundTrip(s, "hello"));
        }
    }

    @Test
    void aCutClosesOpenConnectionsAndRefusesNewOnesUntilHealed() throws Exception {
        Socket open = connect();
        assertEquals(5, roundTrip(open, "first").length);
        proxy.cut();
        InputStream in = open.getInputStream();
        OutputStream out = open.getOutputStream();
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) { // a write may be buffered once before the reset shows
                out.write(1);
                if (in.read() < 0) {
                    throw new IOException("closed");
                }
            }
        });
        try (Socket refused = connect()) {
            assertEquals(-1, refused.getInputStream().read(), "accepted, then closed at once");
        }
        proxy.heal();
        try (Socket again = connect()) {
            assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), roundTrip(again, "back"));
        }
        open.close();
    }

    @Test
    void delayHoldsEveryChunk() throws IOException {
        proxy.delay(200);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            roundTrip(s, "slow");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 400, "a round trip crosses the delayed link twice, took " + millis + " ms");
        }
    }
}
