package io.orderflow.devtools.embedded;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for loopback (SAN {@code localhost}, {@code 127.0.0.1}) in a PKCS12 key store, and a
 * trust store holding just that certificate, made with the JDK's own {@code keytool}: for tests and the demo,
 * never for deployment.
 *
 * @param keyStore   the key and the certificate
 * @param trustStore the certificate alone
 * @param password   of both
 */
public record SelfSignedCertificate(Path keyStore, Path trustStore, String password) {
    private static final long KEYTOOL_SECONDS = 60;

    /** The server's: CN=localhost, files {@code http-*} in {@code dir}, with {@code password}. */
    public static SelfSignedCertificate create(Path dir, String password) {
        return create(dir, "http", "localhost", password);
    }

    /**
     * A certificate for {@code commonName} (a client's identity under mutual TLS: its principal is
     * {@code User:CN=<commonName>}), in {@code <name>-keystore.p12}, {@code <name>-truststore.p12} and
     * {@code <name>-certificate.pem} in {@code dir}.
     */
    public static SelfSignedCertificate create(Path dir, String name, String commonName, String password) {
        Path keyStore = dir.resolve(name + "-keystore.p12");
        Path trustStore = dir.resolve(name + "-truststore.p12");
        Path certificate = certificate(dir, name);
        keytool(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + commonName, "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password));
        keytool(List.of("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(),
                "-storepass", password, "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", password));
        return new SelfSignedCertificate(keyStore, trustStore, password);
    }

    /** Adds {@code other}'s certificate to this trust store: who holds it is then trusted too. */
    public SelfSignedCertificate trust(SelfSignedCertificate other) {
        Path exported = trustStore.resolveSibling("trusted-" + System.nanoTime() + ".pem");
        keytool(List.of("-exportcert", "-rfc", "-keystore", other.keyStore().toString(), "-storepass",
                other.password(), "-alias", alias(other), "-file", exported.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", alias(other) + "-" + System.nanoTime(), "-file",
                exported.toString(), "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass",
                password));
        return this;
    }

    private static String alias(SelfSignedCertificate certificate) {
        String file = certificate.keyStore().getFileName().toString();
        return file.substring(0, file.length() - "-keystore.p12".length());
    }

    private static Path certificate(Path dir, String name) {
        return dir.resolve(name + "-certificate.pem");
    }

    /** A TLS context that trusts this certificate (and nothing else), for clients of a server that uses it. */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(in, password.toCharArray());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + trustStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + trustStore + ": " + e.getMessage(), e);
        }
    }

    private static void keytool(List<String> args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args.get(0) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
