package io.raftmanager.transport.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway certificates made at test time with the JDK's {@code keytool}: a test CA, two members ("a",
 * "b", issued to node ids 1 and 2) signed by it, and a "rogue" certificate that is self-signed and so untrusted. Every certificate
 * names 127.0.0.1 and localhost. Nothing here is ever a real key. Generated once per test JVM.
 */
final class TestCerts {
    static final char[] PASSWORD = "changeit".toCharArray();
    private static TestCerts instance;

    final Path dir;

    /** PEM and key-store files of one identity. */
    record Identity(Path chainPem, Path keyPem, Path keyStore) {}

    private TestCerts(Path dir) {
        this.dir = dir;
    }

    static synchronized TestCerts get() {
        if (instance == null) {
            try {
                Path target = Path.of("target");
                Path dir = Files.isDirectory(target)
                        ? Files.createTempDirectory(target, "test-certs")
                        : Files.createTempDirectory("raft-netty-certs");
                TestCerts c = new TestCerts(dir);
                long start = System.nanoTime();
                c.generate();
                System.out.printf(
                        "test certificates generated in %d ms under %s%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), dir);
                instance = c;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    Path caPem() {
        return dir.resolve("ca.pem");
    }

    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    Identity identity(String name) {
        return new Identity(
                dir.resolve(name + "-chain.pem"), dir.resolve(name + "-key.pem"), dir.resolve(name + ".p12"));
    }

    TlsConfig pem(String name) {
        Identity id = identity(name);
        return TlsConfig.fromPem(id.chainPem(), id.keyPem(), caPem());
    }

    TlsConfig keyStore(String name) {
        return TlsConfig.fromKeyStore(identity(name).keyStore(), PASSWORD, trustStore(), PASSWORD);
    }

    /** The node id each member certificate is issued to (in its SAN URI): "a" is node 1, "b" node 2. */
    static long nodeIdOf(String name) {
        return name.equals("a") ? 1 : 2;
    }

    private void generate() throws IOException {
        String san = "SAN=IP:127.0.0.1,DNS:localhost";
        CompletableFuture<Void> ca = CompletableFuture.runAsync(() -> keytool(
                "-genkeypair", "-alias", "ca", "-dname", "CN=raft-test-ca", "-ext", "bc:c", "-keystore", "ca.p12"));
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            all.add(CompletableFuture.runAsync(() -> {
                        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keystore", name + ".p12");
                        keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-file", name + ".csr");
                    })
                    .thenCombine(ca, (x, y) -> null)
                    .thenRun(() -> keytool(
                            "-gencert",
                            "-alias",
                            "ca",
                            "-keystore",
                            "ca.p12",
                            "-infile",
                            name + ".csr",
                            "-outfile",
                            name + ".crt",
                            "-rfc",
                            "-ext",
                            san + ",URI:" + PeerIdentity.uriOf(nodeIdOf(name)),
                            "-ext",
                            "EKU=serverAuth,clientAuth")));
        }
        all.add(CompletableFuture.runAsync(() -> keytool(
                "-genkeypair", "-alias", "rogue", "-dname", "CN=rogue", "-ext", san, "-keystore", "rogue.p12")));
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        try {
            Certificate caCert = load("ca.p12").getCertificate("ca");
            Files.writeString(caPem(), pem("CERTIFICATE", caCert.getEncoded()));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCert);
            store(trust, trustStore());
            for (String name : List.of("a", "b")) {
                KeyStore ks = load(name + ".p12");
                Key key = ks.getKey(name, PASSWORD);
                Certificate leaf;
                try (InputStream in = Files.newInputStream(dir.resolve(name + ".crt"))) {
                    leaf = java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(in);
                }
                Certificate[] chain = {leaf, caCert};
                ks.setKeyEntry(name, key, PASSWORD, chain);
                store(ks, dir.resolve(name + ".p12"));
                writeIdentityPem(name, (PrivateKey) key, chain);
            }
            KeyStore rogue = load("rogue.p12");
            writeIdentityPem("rogue", (PrivateKey) rogue.getKey("rogue", PASSWORD), rogue.getCertificateChain("rogue"));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void writeIdentityPem(String name, PrivateKey key, Certificate[] chain)
            throws IOException, java.security.GeneralSecurityException {
        StringBuilder sb = new StringBuilder();
        for (Certificate c : chain) {
            sb.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(identity(name).chainPem(), sb.toString());
        Files.writeString(identity(name).keyPem(), pem("PRIVATE KEY", key.getEncoded()));
    }

    private KeyStore load(String file) throws IOException, java.security.GeneralSecurityException {
        return KeyStore.getInstance(dir.resolve(file).toFile(), PASSWORD);
    }

    private static void store(KeyStore ks, Path file) throws IOException, java.security.GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived tool: starting its JVM lean halves the time on a loaded machine.
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit", "-noprompt"));
        if (args[0].equals("-genkeypair")) {
            cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        } else if (args[0].equals("-gencert")) {
            cmd.addAll(List.of("-validity", "2"));
        }
        try {
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
