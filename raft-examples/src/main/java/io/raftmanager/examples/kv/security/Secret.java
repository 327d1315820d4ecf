package io.raftmanager.examples.kv.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A password or token. It never prints itself ({@link #toString} is a fixed mask) and is compared in
 * constant time: both sides are hashed first, so neither the content nor the length leaks through timing.
 */
public final class Secret {
    private final byte[] digest;
    private final byte[] value;

    private Secret(byte[] value) {
        this.value = value;
        this.digest = sha256(value);
    }

    /** Wraps {@code value}; it must not be empty. */
    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    /** True when {@code candidate} equals this secret; takes the same time whatever it is. */
    public boolean matches(byte[] candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    public boolean matches(String candidate) {
        return candidate != null && matches(candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** The secret itself, for the few places that must send it on (a relayed admin request). */
    public String reveal() {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "******";
    }
}
