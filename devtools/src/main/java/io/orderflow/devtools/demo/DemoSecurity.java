package io.orderflow.devtools.demo;

import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.SelfSignedCertificate;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.runtime.KafkaAcls;
import io.orderflow.topology.OrderflowConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code saga demo --secure}: the whole stack as a secured deployment has it, with credentials made up for the run.
 * Kafka's client listener is SASL_SSL (TLS with a self-signed certificate for loopback, SCRAM-SHA-512 logins) with
 * Kafka's authorizer denying what no ACL allows; the instances log in as {@code orderflow} and the Connect worker as
 * {@code connect}, each with exactly the ACLs {@code saga acls} prints for its role; the HTTP API is HTTPS with a
 * bearer token. The demo's own producer, tracker and the console tools it prints use the administrator's login,
 * written to {@code admin.properties}. Without {@code --secure}, none of it: plain, open, on loopback.
 */
final class DemoSecurity {
    static final String INSTANCE_USER = "orderflow";
    static final String CONNECT_USER = "connect";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final SelfSignedCertificate certificate;
    private final String adminPassword;
    private final String instancePassword;
    private final String connectPassword;
    private final String token;

    private DemoSecurity(Path dir, SelfSignedCertificate certificate, String adminPassword, String instancePassword,
                         String connectPassword, String token) {
        this.dir = dir;
        this.certificate = certificate;
        this.adminPassword = adminPassword;
        this.instancePassword = instancePassword;
        this.connectPassword = connectPassword;
        this.token = token;
    }

    static DemoSecurity none() {
        return new DemoSecurity(null, null, null, null, null, null);
    }

    /** Makes the certificate, the passwords and the token, in {@code dir}. */
    static DemoSecurity create(Path dir) throws IOException {
        Files.createDirectories(dir);
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, secret(18));
        DemoSecurity security = new DemoSecurity(dir, certificate, secret(18), secret(18), secret(18), secret(32));
        // For `saga sagas` and `saga dlq --token-file`, which take no token on the command line.
        Files.writeString(security.tokenFile(), security.token + "\n");
        return security;
    }

    private Path tokenFile() {
        return dir.resolve("http-token");
    }

    boolean enabled() {
        return certificate != null;
    }

    EmbeddedKafka.Builder broker(EmbeddedKafka.Builder builder) {
        return enabled() ? builder.secured(new EmbeddedKafka.Security(certificate, adminPassword)) : builder;
    }

    /**
     * Creates the instances' and Connect's logins, grants each its role's ACLs and writes the administrator's
     * client settings to {@code admin.properties}.
     */
    void grant(EmbeddedKafka kafka) {
        if (!enabled()) {
            return;
        }
        try (Admin client = Admin.create(client(kafka))) {
            client.alterUserScramCredentials(List.of(user(INSTANCE_USER, instancePassword),
                    user(CONNECT_USER, connectPassword))).all().get(30, TimeUnit.SECONDS);
            for (KafkaAcls.Role role : List.of(KafkaAcls.Role.STREAMS, KafkaAcls.Role.CONNECT)) {
                String principal = "User:" + (role == KafkaAcls.Role.STREAMS ? INSTANCE_USER : CONNECT_USER);
                client.createAcls(KafkaAcls.of(role, principal, OrderflowConfig.APPLICATION_ID)).all()
                        .get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the demo's Kafka logins and ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the demo's Kafka logins", e);
        }
        try (Writer writer = Files.newBufferedWriter(adminConfig())) {
            kafka.adminProperties().store(writer, "saga demo --secure: the administrator's Kafka client settings");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + adminConfig(), e);
        }
    }

    /** The instances' Kafka login and their HTTP API's tokens and TLS; or an open API on loopback. */
    void instance(EmbeddedKafka kafka, Properties props) {
        if (!enabled()) {
            // A demo is for trying: open, and said so when it starts (docs/operations.md, HTTP authentication).
            props.put(HttpAuth.MODE, "none");
            return;
        }
        props.putAll(kafka.clientProperties(INSTANCE_USER, instancePassword));
        props.put(HttpAuth.MODE, "tokens");
        props.put(HttpAuth.TOKENS, "demo read,write,operator " + token);
        props.put(HttpTls.KEYSTORE, certificate.keyStore().toString());
        props.put(HttpTls.KEYSTORE_PASSWORD, certificate.password());
        props.put(HttpTls.TRUSTSTORE, certificate.trustStore().toString());
        props.put(HttpTls.TRUSTSTORE_PASSWORD, certificate.password());
    }

    /** The Connect worker's settings: its login, for itself and the clients it makes for connectors. */
    Properties connect(EmbeddedKafka kafka) {
        Properties worker = new Properties();
        if (enabled()) {
            Properties login = kafka.clientProperties(CONNECT_USER, connectPassword);
            for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
                login.forEach((key, value) -> worker.put(prefix + key, value));
            }
        }
        return worker;
    }

    /** Settings for the demo's own Kafka clients (the administrator's login when secured). */
    Properties client(EmbeddedKafka kafka) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.putAll(kafka.adminProperties()); // none on an open node
        return props;
    }

    /** The HTTP API of the instance on {@code port}, as the demo's own clients reach it. */
    String url(int port) {
        return (enabled() ? "https" : "http") + "://localhost:" + port;
    }

    HttpClient httpClient() {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (enabled()) {
            builder.sslContext(certificate.clientContext());
        }
        return builder.build();
    }

    /** Adds the bearer token, when there is one. */
    HttpRequest.Builder authorize(HttpRequest.Builder request) {
        return enabled() ? request.header("Authorization", "Bearer " + token) : request;
    }

    /** {@code curl -s} with what the API needs: the certificate to trust and the token. */
    String curl() {
        return enabled() ? "curl -s --cacert " + dir.resolve("http-certificate.pem") + " -H 'Authorization: Bearer "
                + token + "'" : "curl -s";
    }

    /** What {@code saga sagas} and {@code saga dlq} need to reach the instance on {@code port}. */
    String operatorFlags(int port) {
        return " --url " + url(port) + (enabled() ? " --cacert " + dir.resolve("http-certificate.pem")
                + " --token-file " + tokenFile() : "");
    }

    /** What Kafka's console tools need: {@code --command-config} with the administrator's settings. */
    String consoleConfig() {
        return enabled() ? " --command-config " + adminConfig() : "";
    }

    Path directory() {
        return dir;
    }

    private Path adminConfig() {
        return dir.resolve("admin.properties");
    }

    private static UserScramCredentialUpsertion user(String name, String password) {
        return new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                password);
    }

    /** Random URL-safe text of {@code bytes} random bytes: a token68 without padding. */
    private static String secret(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
