package io.raftmanager.examples.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A tiny blocking RESP client for tests, independent of the server's codec: it writes requests as
 * arrays of bulk strings and parses replies by hand. Simple strings and bulk strings come back as
 * String, integers as Long, null bulk strings as null, arrays as List, errors as {@link Err}. A
 * connection whose reply timed out or broke must be discarded: its next reply could belong to the
 * earlier request.
 */
public final class RespTestClient implements AutoCloseable {
    /** An error reply, e.g. {@code TIMEOUT outcome unknown}. */
    public record Err(String message) {
        /** The error's first word, e.g. {@code TIMEOUT}. */
        public String code() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }
    }

    /** Connecting failed: nothing was sent. */
    public static final class ConnectFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ConnectFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * How to reach a secured RESP port: TLS with {@code tls} (null for plain TCP), then {@code AUTH password}
     * (null for none).
     */
    public record Login(SSLSocketFactory tls, String password) {
        public static final Login NONE = new Login(null, null);
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects within 5 s; replies may take 15 s. */
    public RespTestClient(InetSocketAddress address) throws IOException {
        this(address, 5_000, 15_000);
    }

    public RespTestClient(InetSocketAddress address, int connectMillis, int replyMillis) throws ConnectFailed {
        this(address, connectMillis, replyMillis, Login.NONE);
    }

    /**
     * Connects, and with {@code login} also completes the TLS handshake and AUTH: a failure of any of these
     * is a {@link ConnectFailed} (no command was sent).
     */
    public RespTestClient(InetSocketAddress address, int connectMillis, int replyMillis, Login login)
            throws ConnectFailed {
        Socket s = new Socket();
        socket = s;
        try {
            s.connect(address, connectMillis);
            s.setSoTimeout(replyMillis);
            s.setTcpNoDelay(true);
            Socket conn = s;
            if (login.tls() != null) {
                SSLSocket tls =
                        (SSLSocket) login.tls().createSocket(s, address.getHostString(), address.getPort(), true);
                tls.startHandshake();
                conn = tls;
            }
            in = new BufferedInputStream(conn.getInputStream());
            out = conn.getOutputStream();
            if (login.password() != null) {
                Object reply = call("AUTH", login.password());
                if (!"OK".equals(reply)) {
                    throw new IOException("AUTH answered " + reply);
                }
            }
        } catch (IOException e) {
            close();
            throw new ConnectFailed(e);
        }
    }

    /** Sends one command and reads its reply. */
    public Object call(String... args) throws IOException {
        out.write(encode(args));
        out.flush();
        return read();
    }

    public static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new Err(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len + 2);
                if (data.length < len + 2) {
                    throw new EOFException("connection closed mid-reply");
                }
                return new String(data, 0, len, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + (char) type);
        }
    }

    /** True when the server has closed the connection (reads EOF within the socket timeout). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("connection closed mid-reply");
            }
            b.write(c);
        }
        in.read(); // '\n'
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
