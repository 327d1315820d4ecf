package io.raftmanager.examples.kv.security;

import io.raftmanager.transport.netty.TlsConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for local clusters and tests: it issues node certificates that carry
 * the node id ({@link TlsConfig#nodeIdUri}) and name 127.0.0.1 and localhost, with P-256 keys. Never for
 * production: the CA key lives only in memory and the certificates say nothing about who ran this.
 */
public final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final Duration validity;

    private Pki(String name, KeyPair caKeys, X509Certificate caCert, Duration validity) {
        this.name = name;
        this.caKeys = caKeys;
        this.caCert = caCert;
        this.validity = validity;
    }

    /** A new CA called {@code name}, whose certificates are valid for {@code validity} from now. */
    public static Pki newCa(String name, Duration validity) {
        KeyPair keys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        try {
            X509v3CertificateBuilder b = builder(subject, subject, keys, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Pki(name, keys, sign(b, keys.getPrivate()), validity);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    /** A key and certificate chain (leaf, then the CA). */
    public record Issued(PrivateKey key, List<X509Certificate> chain) {}

    /** Issues a certificate to node {@code nodeId}, for 127.0.0.1 and localhost. */
    public Issued issueNode(long nodeId) {
        return issue("node-" + nodeId, TlsConfig.nodeIdUri(nodeId));
    }

    /** Issues a certificate for 127.0.0.1 and localhost with {@code uri} in its SAN (none if null). */
    public Issued issue(String commonName, String uri) {
        KeyPair keys = newKeys();
        List<GeneralName> names = new ArrayList<>();
        if (uri != null) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        }
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        try {
            X509v3CertificateBuilder b = builder(
                            new X500Name("CN=" + name), new X500Name("CN=" + commonName), keys, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
            return new Issued(keys.getPrivate(), List.of(sign(b, caKeys.getPrivate()), caCert));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build a certificate for " + commonName, e);
        }
    }

    /** Writes the CA certificate as PEM. */
    public void writeCa(Path file) throws IOException {
        Files.writeString(file, pem("CERTIFICATE", encoded(caCert)), StandardCharsets.US_ASCII);
    }

    /** Writes the chain to {@code certFile} and the PKCS#8 key to {@code keyFile} (owner-only permissions). */
    public static void write(Issued issued, Path certFile, Path keyFile) throws IOException {
        StringBuilder chain = new StringBuilder();
        for (X509Certificate c : issued.chain()) {
            chain.append(pem("CERTIFICATE", encoded(c)));
        }
        Files.writeString(certFile, chain, StandardCharsets.US_ASCII);
        SecretFiles.writePrivate(keyFile, pem("PRIVATE KEY", issued.key().getEncoded()));
    }

    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), // tolerate small clock skew between nodes
                Date.from(now.plus(validity)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has P-256", e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
