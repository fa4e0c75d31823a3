package io.orderflow.devtools.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.embedded.SelfSignedCertificate;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.runtime.OrderflowInstance;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two instances with bearer tokens and HTTPS on a real broker: every key is served from either instance to a read
 * token — the one that does not hold it passes the caller's token on, over HTTPS, and the holder checks it — and
 * refused without one; plain HTTP gets no answer; an instance without {@code http.auth} does not start, nor one whose
 * key store will not open; no token or password ever reaches a log line or an error.
 */
class HttpAuthIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final String STORE_PASSWORD = "St0re-pw-5e1f9a";
    private static HttpClient client;
    private static final String READ = "Rd-9f2c47e1b8a64d0f93c5e7a1b2d4f6a8";
    private static final String WRITE = "Wr-1a3c5e7f9b2d4f6a8c0e2a4c6e8a0b2d";

    @Test
    void shouldServeEveryKeyFromEitherInstanceToAReadTokenAndPassTheTokenOnWhenForwarding(@TempDir Path state)
            throws Exception {
        // Given two instances that require tokens and speak HTTPS, and every log line captured
        SelfSignedCertificate certificate = SelfSignedCertificate.create(state, STORE_PASSWORD);
        client = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        String bootstrap = KAFKA.bootstrapServers();
        List<OrderflowInstance> instances = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            for (int i = 0; i < 2; i++) {
                Properties props = BrokerFixture.instanceProps(bootstrap, state.resolve("i" + i), 6);
                props.put(HttpAuth.MODE, "tokens");
                props.put(HttpAuth.TOKENS, "dash read " + READ + ";shop write " + WRITE);
                props.put(HttpTls.KEYSTORE, certificate.keyStore().toString());
                props.put(HttpTls.KEYSTORE_PASSWORD, STORE_PASSWORD);
                props.put(HttpTls.TRUSTSTORE, certificate.trustStore().toString());
                props.put(HttpTls.TRUSTSTORE_PASSWORD, STORE_PASSWORD);
                instances.add(BrokerFixture.start(props));
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> instances.stream().allMatch(in ->
                    in.streams().state() == KafkaStreams.State.RUNNING
                            && !in.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()));
            List<String> skus = List.of("s1", "s2", "s3", "s4", "s5", "s6");
            skus.forEach(sku -> BrokerFixture.adjust(producer, sku, 100));
            BrokerFixture.deposit(producer, "c1", 1_000_000);
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                orders.add("auth-" + i);
                BrokerFixture.place(producer, "auth-" + i, "c1", new OrderLine(skus.get(i % skus.size()), 1, 10L));
            }
            producer.flush();

            // When every order and sku is asked of each instance with a read token
            Set<String> servers = new TreeSet<>();
            for (OrderflowInstance instance : instances) {
                for (String orderId : orders) {
                    HttpResponse<String> answer = get(instance, "/orders/" + orderId + "?waitFor=TERMINAL&timeout=30s",
                            READ);
                    assertThat(answer.statusCode()).as("%s: %s", orderId, answer.body()).isEqualTo(200);
                    answer.headers().firstValue("X-Orderflow-Served-By").ifPresent(servers::add);
                }
                HttpResponse<String> page = get(instance, "/inventory?limit=10", READ);
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                assertThat(page.body()).contains("\"sku\":\"s1\"", "\"sku\":\"s6\"");
            }

            // Then both instances served keys (each forwarded to the other with the caller's token)
            assertThat(servers).hasSize(2);
            // And without a token, or with a write token, nothing is read; probes stay open
            for (OrderflowInstance instance : instances) {
                assertThat(get(instance, "/orders/auth-0", null).statusCode()).isEqualTo(401);
                assertThat(get(instance, "/inventory?limit=10", null).statusCode()).isEqualTo(401);
                assertThat(get(instance, "/orders/auth-0", WRITE).statusCode()).isEqualTo(403);
                assertThat(get(instance, "/ready", null).statusCode()).isEqualTo(200);
                assertThat(get(instance, "/instances", READ).body()).contains("\"auth\":\"tokens\"")
                        .doesNotContain("warning");
                // and plain HTTP on the HTTPS port is not served
                HttpResponse<String> plain = plainHttp(instance);
                assertThat(plain == null || plain.statusCode() == 400).as("plain HTTP answered %s",
                        plain == null ? "nothing" : plain.statusCode() + " " + plain.body()).isTrue();
            }
        } finally {
            for (OrderflowInstance instance : instances) {
                instance.close();
            }
            root.detachAppender(logs);
        }
        // And no token appears in any log line
        for (ILoggingEvent event : logs.list) {
            String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                    : event.getThrowableProxy().getMessage());
            assertThat(line).doesNotContain(READ).doesNotContain(WRITE).doesNotContain(STORE_PASSWORD);
        }
        assertThat(logs.list).isNotEmpty();
    }

    @Test
    void shouldRefuseToStartNamingTheSettingWhenHttpAuthIsNotChosen(@TempDir Path state) {
        // Given an instance's settings without http.auth
        Properties props = BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 6);
        props.remove(HttpAuth.MODE);

        // When / Then
        assertThatThrownBy(() -> BrokerFixture.start(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.auth is not set");
    }

    @Test
    void shouldRefuseToStartNamingTheStoreButNotThePasswordWhenTheKeyStoreWillNotOpen(@TempDir Path state) {
        // Given a key store and the wrong password for it
        SelfSignedCertificate certificate = SelfSignedCertificate.create(state, STORE_PASSWORD);
        Properties props = BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state.resolve("s"), 6);
        props.put(HttpTls.KEYSTORE, certificate.keyStore().toString());
        props.put(HttpTls.KEYSTORE_PASSWORD, "Wr0ng-pw-77c3d1");

        // When / Then
        assertThatThrownBy(() -> BrokerFixture.start(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot open http.tls.keystore.path " + certificate.keyStore())
                .message().doesNotContain("Wr0ng-pw-77c3d1").doesNotContain(STORE_PASSWORD);
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + instance.httpPort()
                + path)).timeout(Duration.ofSeconds(40));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /ready} in plain HTTP, or null when the server does not answer it. */
    private static HttpResponse<String> plainHttp(OrderflowInstance instance) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + instance.httpPort() + "/ready")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
