package io.raftmanager.examples.kv.security;

import io.raftmanager.examples.kv.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads private keys, tokens and passwords from files, refusing (as OpenSSH does for its keys) a file
 * that anyone else on the machine may read or write: a secret others can read is not a secret.
 */
public final class SecretFiles {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** What {@link #writePrivate} gives a secret file: read and write for its owner only. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretFiles() {}

    /**
     * Checks that {@code file} (named by {@code flag} in messages) exists and is not accessible to others.
     *
     * @throws StartupException when it is missing or too open
     */
    public static void requirePrivate(String flag, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new StartupException(flag + ": " + file + " is not a readable file");
        }
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return; // no POSIX permissions on this file system: nothing to check
        }
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new StartupException(flag + ": cannot read the permissions of " + file + ": " + e.getMessage(), e);
        }
        if (perms.stream().anyMatch(OTHERS::contains)) {
            throw new StartupException(flag + ": permissions " + PosixFilePermissions.toString(perms) + " for " + file
                    + " are too open: other users can access it. Run: chmod 600 " + file);
        }
    }

    /** Reads a one-line secret (a token or password; surrounding whitespace trimmed) from a private file. */
    public static Secret readSecret(String flag, Path file) {
        requirePrivate(flag, file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new StartupException(flag + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        if (text.isEmpty() || text.contains("\n")) {
            throw new StartupException(flag + ": " + file + " must hold the secret on one non-empty line");
        }
        return Secret.of(text);
    }

    /** Writes {@code text} to a new file readable by its owner only (created so, never briefly open). */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
