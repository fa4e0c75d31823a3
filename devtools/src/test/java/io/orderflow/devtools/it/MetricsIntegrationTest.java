package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on a running instance exports every metric DESIGN names, and every metric the alert rules
 * and the dashboard in {@code deploy/} use — so an alert can never watch a series that does not exist.
 */
class MetricsIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:saga|outbox|idempotency|optimistic|dlq|kafka_stream)_[a-z0-9_]+)");
    private static final Set<String> DESIGN = Set.of("saga_started_total", "saga_completed_total",
            "saga_compensations_total", "saga_timeouts_total", "saga_duration_seconds", "saga_pending",
            "outbox_lag_seconds", "idempotency_duplicates_total", "optimistic_lock_conflicts_total",
            "dlq_records_total");

    @Test
    void shouldExportEveryMetricThatDesignAndDeployFilesNameWhenOrdersHaveRun(@TempDir Path state)
            throws Exception {
        // Given an instance that has processed an order
        try (OrderflowInstance instance = BrokerFixture.start(
                BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 2));
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(KAFKA.bootstrapServers())) {
            BrokerFixture.adjust(producer, "apple", 10);
            BrokerFixture.deposit(producer, "alice", 10_000);
            producer.flush();
            String base = "http://127.0.0.1:" + instance.httpPort();
            HttpClient client = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> status(client, base + "/accounts/alice") == 200);
            BrokerFixture.place(producer, "m1", "alice", new OrderLine("apple", 1, 100L));
            producer.flush();

            // When
            await().atMost(Duration.ofSeconds(30)).until(() -> body(client, base + "/metrics")
                    .contains("saga_completed_total{outcome=\"CONFIRMED\"} 1.0"));
            String metrics = body(client, base + "/metrics");

            // Then
            Set<String> exported = families(metrics);
            assertThat(exported).containsAll(DESIGN);
            assertThat(exported).anyMatch(name -> name.startsWith("kafka_stream_"));
            assertThat(metrics).contains("saga_started_total 1.0").contains("saga_pending 0.0");
            Set<String> referenced = referencedInDeploy();
            assertThat(referenced).isNotEmpty();
            assertThat(exported).as("metrics referenced in deploy/ but not exported").containsAll(referenced);
            assertThat(status(client, base + "/health")).isEqualTo(200);
            assertThat(status(client, base + "/ready")).isEqualTo(200);
        }
    }

    /** Metric family names in a Prometheus scrape, histogram suffixes folded into their family. */
    private static Set<String> families(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String name = line.split("[{ ]", 2)[0];
            names.add(name.replaceAll("_(bucket|count|sum|max)$", ""));
            names.add(name);
        }
        return names;
    }

    private static Set<String> referencedInDeploy() throws IOException {
        Path deploy = Path.of("").toAbsolutePath().getParent().resolve("deploy");
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(deploy)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                try {
                    Matcher m = METRIC.matcher(Files.readString(file));
                    while (m.find()) {
                        names.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return names;
    }

    private static int status(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String body(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
