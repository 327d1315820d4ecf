package io.raftmanager.transport.netty;

import io.raftmanager.proto.RaftMessage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A fake peer on a plain server socket that accepts connections but stops reading them: either at once
 * ({@code readRegular = false}), or once the first frame shows the connection carries snapshot chunks. It
 * models a peer whose process hangs, or a saturated link, without any timing.
 */
final class StallingPeer implements AutoCloseable {
    private final ServerSocket server;
    private final boolean readRegular;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final BlockingQueue<RaftMessage> regular = new LinkedBlockingQueue<>();
    final BlockingQueue<RaftMessage> firstSnapshotChunks = new LinkedBlockingQueue<>();

    StallingPeer(boolean readRegular) throws IOException {
        this.readRegular = readRegular;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "stalling-peer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        try {
            while (!server.isClosed()) {
                Socket s = server.accept();
                sockets.add(s);
                if (readRegular) {
                    Thread reader = new Thread(() -> readUntilSnapshot(s), "stalling-peer-read");
                    reader.setDaemon(true);
                    reader.start();
                }
            }
        } catch (IOException closed) {
            // Server closed.
        }
    }

    private void readUntilSnapshot(Socket s) {
        try {
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                RaftMessage m = RaftMessage.parseFrom(body);
                if (m.getBodyCase() == RaftMessage.BodyCase.INSTALL_SNAPSHOT_REQUEST) {
                    firstSnapshotChunks.add(m);
                    return; // never read this connection again
                }
                regular.add(m);
            }
        } catch (EOFException | java.net.SocketException closed) {
            // Connection closed.
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
