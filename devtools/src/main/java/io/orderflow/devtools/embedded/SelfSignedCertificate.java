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

    /** Makes both stores in {@code dir}, with {@code password}. */
    public static SelfSignedCertificate create(Path dir, String password) {
        Path keyStore = dir.resolve("http-keystore.p12");
        Path trustStore = dir.resolve("http-truststore.p12");
        Path certificate = dir.resolve("http-certificate.pem");
        keytool(List.of("-genkeypair", "-alias", "orderflow", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "30",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password));
        keytool(List.of("-exportcert", "-rfc", "-alias", "orderflow", "-keystore", keyStore.toString(),
                "-storepass", password, "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", "orderflow", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", password));
        return new SelfSignedCertificate(keyStore, trustStore, password);
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
