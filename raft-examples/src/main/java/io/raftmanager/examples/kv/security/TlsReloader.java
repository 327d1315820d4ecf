package io.raftmanager.examples.kv.security;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads TLS material (or another file-held setting, such as the admin token) without a restart: when any watched file changes (checked every few seconds,
 * by modification time, size and file identity, so an atomic rename counts) or the process gets SIGHUP.
 * The reload itself is the caller's {@code reload} action; a failed reload keeps the old certificates and
 * is retried on the next change. Runs on a daemon thread of its own, never on an event loop, since it
 * reads files.
 */
public final class TlsReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);
    private static final Set<TlsReloader> ON_SIGHUP = new CopyOnWriteArraySet<>();
    private static volatile boolean sighupInstalled;

    private final String name;
    private final List<Path> files;
    private final Runnable reload;
    private final Consumer<Boolean> outcome;
    private final ScheduledExecutorService thread;
    private List<Object> lastSeen;

    /**
     * @param name what is reloaded, for the log (e.g. "peer TLS")
     * @param reload reads the files again; throws when they do not load
     * @param outcome told true or false after each reload attempt (for a metric)
     */
    public TlsReloader(String name, List<Path> files, long pollMillis, Runnable reload, Consumer<Boolean> outcome) {
        this.name = name;
        this.files = List.copyOf(files);
        this.reload = Objects.requireNonNull(reload);
        this.outcome = Objects.requireNonNull(outcome);
        this.lastSeen = fingerprint();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raft-kv-tls-reload");
            t.setDaemon(true);
            return t;
        });
        if (pollMillis > 0) {
            thread.scheduleWithFixedDelay(this::pollOnce, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        }
        ON_SIGHUP.add(this);
        installSighup();
    }

    /** Reloads now (as on SIGHUP), on the reloader's thread; the returned future ends when it is done. */
    public java.util.concurrent.Future<?> reloadNow(String why) {
        return thread.submit(() -> reload(why));
    }

    private void pollOnce() {
        List<Object> now = fingerprint();
        if (!now.equals(lastSeen)) {
            reload("files changed");
        }
    }

    private synchronized void reload(String why) {
        lastSeen = fingerprint();
        try {
            reload.run();
            LOG.info("{} reloaded ({})", name, why);
            outcome.accept(true);
        } catch (RuntimeException e) {
            LOG.warn("{} reload failed ({}), keeping what was loaded before: {}", name, why, e.getMessage());
            outcome.accept(false);
        }
    }

    private List<Object> fingerprint() {
        List<Object> out = new ArrayList<>();
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return out;
    }

    /** SIGHUP reloads every live reloader in this JVM. Through reflection: sun.misc is not a public API. */
    private static synchronized void installSighup() {
        if (sighupInstalled) {
            return;
        }
        sighupInstalled = true;
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, (p, m, args) -> {
                switch (m.getName()) {
                    case "handle" -> ON_SIGHUP.forEach(r -> r.reloadNow("SIGHUP"));
                    case "hashCode" -> {
                        return System.identityHashCode(p);
                    }
                    case "equals" -> {
                        return p == args[0];
                    }
                    case "toString" -> {
                        return "raft-kv SIGHUP handler";
                    }
                    default -> {}
                }
                return null;
            });
            signal.getMethod("handle", signal, handler).invoke(null, hup, h);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("SIGHUP cannot be caught here ({}); certificates reload when their files change", e.toString());
        }
    }

    @Override
    public void close() {
        ON_SIGHUP.remove(this);
        thread.shutdownNow();
    }
}
