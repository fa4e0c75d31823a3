package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.SelfSignedCertificate;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.verify.VerifyFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Distinctive secrets — a Kafka SCRAM password, an HTTP token, a key store password, a database password — set on
 * real processes, then every path that could show them: start-up, a failed start (wrong Kafka password, an
 * unreachable database), bad logins, a request forwarded between instances, {@code /instances}, error answers and
 * {@code --help}. Every line of output and every answer is searched for each secret.
 */
class SecretsNeverShownIntegrationTest {
    private static final String KAFKA_PASSWORD = "kafkaSECRET-7q2w9e";
    private static final String TOKEN = "httpSECRET-tok-5r8t1y3u6i9o";
    private static final String STORE_PASSWORD = "storeSECRET-4a6s8d";
    private static final String DB_PASSWORD = "dbSECRET-2z4x6c";
    private static final List<String> SECRETS = List.of(KAFKA_PASSWORD, TOKEN, STORE_PASSWORD, DB_PASSWORD);

    @Test
    void shouldNeverShowASecretInOutputAnswersOrHelpWhateverHappens(@TempDir Path dir) throws Exception {
        List<String> seen = new ArrayList<>();
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, STORE_PASSWORD);
        HttpClient https = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
        List<InstanceJvm> instances = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder()
                .secured(new EmbeddedKafka.Security(certificate, "Adm1n-pw-0b7d")).start()) {
            // Given a user with the streams ACLs, and instances that log in as it, with tokens and HTTPS
            grantStreams(kafka);
            Properties settings = new Properties();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.putAll(kafka.clientProperties("app", KAFKA_PASSWORD));
            settings.put(HttpAuth.MODE, "tokens");
            settings.put(HttpAuth.TOKENS, "ops read,write " + TOKEN);
            settings.put(HttpTls.KEYSTORE, certificate.keyStore().toString());
            settings.put(HttpTls.KEYSTORE_PASSWORD, STORE_PASSWORD);
            settings.put(HttpTls.TRUSTSTORE, certificate.trustStore().toString());
            settings.put(HttpTls.TRUSTSTORE_PASSWORD, STORE_PASSWORD);

            // When two start, answer, forward and refuse
            for (int i = 0; i < 2; i++) {
                instances.add(InstanceJvm.start("secret-" + i, InstanceJvm.thisBuild(), settings, dir));
            }
            for (InstanceJvm instance : instances) {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ready(https, instance));
            }
            for (InstanceJvm instance : instances) {
                for (String path : List.of("/instances", "/inventory?limit=5", "/orders/nope", "/accounts/a1",
                        "/analytics/orders")) {
                    seen.add(send(https, instance, path, TOKEN).body());
                    seen.add(send(https, instance, path, TOKEN + "x").body());
                    seen.add(send(https, instance, path, null).body());
                }
                seen.add(send(https, instance, "/orders/" + "%00", TOKEN).body());
            }

            // And one logs in to Kafka with a wrong password, and stops
            Properties wrong = new Properties();
            wrong.putAll(settings);
            wrong.putAll(kafka.clientProperties("app", KAFKA_PASSWORD + "-wrong"));
            InstanceJvm failing = InstanceJvm.start("secret-wrong", InstanceJvm.thisBuild(), wrong, dir);
            instances.add(failing);
            await().atMost(Duration.ofSeconds(120)).until(() -> !failing.alive());
        } finally {
            for (InstanceJvm instance : instances) {
                instance.close();
            }
        }
        // And the intake cannot reach its database
        Path intakeConfig = dir.resolve("intake.properties");
        Files.writeString(intakeConfig, "intake.jdbc.url=jdbc:postgresql://127.0.0.1:1/orders?password=" + DB_PASSWORD
                + "\nintake.jdbc.user=orderflow\nintake.jdbc.password=" + DB_PASSWORD
                + "\nintake.jdbc.connection.timeout=1s\nhttp.auth=tokens\nhttp.auth.tokens=ops write " + TOKEN + "\n");
        VerifyFixture.Result intake = VerifyFixture.saga("intake", "--config", intakeConfig.toString());
        seen.add(intake.out());
        seen.add(intake.err());
        assertThat(intake.code()).isNotZero();
        // And every help text
        for (String command : List.of("run", "intake", "verify", "acls", "demo")) {
            seen.add(VerifyFixture.saga(command, "--help").out());
        }

        // Then no secret appears anywhere
        for (InstanceJvm instance : instances) {
            seen.add(Files.readString(instance.log()));
        }
        assertThat(seen.get(seen.size() - 1)).as("the failing instance's output")
                .contains("Authentication failed");
        for (String output : seen) {
            for (String secret : SECRETS) {
                assertThat(output).doesNotContain(secret);
            }
        }
        assertThat(String.join("\n", seen)).contains("the token is not valid", "authentication required");
    }

    private static void grantStreams(EmbeddedKafka kafka) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin.putAll(kafka.adminProperties());
        try (Admin client = Admin.create(admin)) {
            client.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("app",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), KAFKA_PASSWORD)))
                    .all().get(30, TimeUnit.SECONDS);
            client.createAcls(io.orderflow.server.runtime.KafkaAcls.of(io.orderflow.server.runtime.KafkaAcls.Role.STREAMS,
                    "User:app", "orderflow")).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static boolean ready(HttpClient https, InstanceJvm instance) {
        if (!instance.alive()) {
            throw new IllegalStateException(instance.name() + " exited; see " + instance.log());
        }
        try {
            return send(https, instance, "/ready", null).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static HttpResponse<String> send(HttpClient https, InstanceJvm instance, String path, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + instance.port()
                + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return https.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
