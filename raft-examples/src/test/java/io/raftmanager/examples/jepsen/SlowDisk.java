package io.raftmanager.examples.jepsen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow-disk fault: {@code slowdisk.c}, built with gcc when one is on the PATH and preloaded into each
 * node JVM, delays every fsync and fdatasync by the milliseconds written in that node's control file. It
 * never skips a sync, so it cannot fake durability. Without gcc the fault is unavailable and skipped.
 */
final class SlowDisk {
    private static final Logger LOG = LoggerFactory.getLogger(SlowDisk.class);

    private SlowDisk() {}

    /** Builds the shim into {@code dir}; empty (logged) when it cannot be built here. */
    static Optional<Path> build(Path dir) {
        try {
            Files.createDirectories(dir);
            Path source = dir.resolve("slowdisk.c");
            try (InputStream in = SlowDisk.class.getResourceAsStream("/jepsen/slowdisk.c")) {
                if (in == null) {
                    return Optional.empty();
                }
                Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path lib = dir.resolve("slowdisk.so");
            Process gcc = new ProcessBuilder(
                            "gcc", "-shared", "-fPIC", "-O2", "-o", lib.toString(), source.toString(), "-ldl")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(gcc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                LOG.info("slow-disk shim not built ({}); SLOW_DISK faults are skipped", out.trim());
                return Optional.empty();
            }
            return Optional.of(lib);
        } catch (IOException e) {
            LOG.info("slow-disk shim not built (no gcc: {}); SLOW_DISK faults are skipped", e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Sets the delay of every sync of the node using {@code control}; 0 restores full speed. */
    static void set(Path control, long millis) throws IOException {
        Path tmp = control.resolveSibling(control.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(millis));
        Files.move(tmp, control, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
