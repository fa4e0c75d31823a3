package io.orderflow.devtools.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.metrics.MicrometerMetrics;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.MetricName;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} on a running instance exports every metric DESIGN names, and every metric the alert rules
 * and the dashboard in {@code deploy/} use — so an alert can never watch a series that does not exist — and no
 * Kafka Streams metric is dropped on the way.
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
    private static final Set<String> STORES = Set.of(StoreNames.ORDER_SAGA, StoreNames.SAGA_DEADLINES, StoreNames.SAGA_TIMELINE,
            StoreNames.SAGA_DEDUPE, StoreNames.PAYMENT_ACCOUNTS, StoreNames.PAYMENT_ORDERS, StoreNames.PAYMENT_DEDUPE,
            StoreNames.INVENTORY_STOCK, StoreNames.INVENTORY_ORDERS, StoreNames.INVENTORY_DEDUPE,
            StoreNames.ORDERS_VIEW, StoreNames.CUSTOMER_ORDERS_VIEW, StoreNames.ORDER_ANALYTICS);
    private static final Pattern ESTIMATE_NUM_KEYS = Pattern.compile(
            "^kafka_stream_state_estimate_num_keys\\{([^}]*)} ", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

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
            // And a scrape can be narrowed to the families named, as Prometheus' federation asks for them
            String narrowed = body(client, base + "/metrics?name%5B%5D=saga_pending&name%5B%5D=saga_started");
            assertThat(families(narrowed)).contains("saga_pending", "saga_started_total")
                    .allMatch(name -> name.startsWith("saga_pending") || name.startsWith("saga_started"));
            assertThat(narrowed).contains("saga_pending 0.0").contains("saga_started_total 1.0");
            Set<String> referenced = referencedInDeploy();
            assertThat(referenced).isNotEmpty();
            assertThat(exported).as("metrics referenced in deploy/ but not exported").containsAll(referenced);
            assertThat(status(client, base + "/health")).isEqualTo(200);
            assertThat(status(client, base + "/ready")).isEqualTo(200);
        }
    }

    @Test
    void shouldExportEveryStoresStateMetricsAndRefuseNoMeterWhenKafkaStreamsMetricsAreBound(@TempDir Path state)
            throws Exception {
        // Given a running instance, and a record of what Micrometer and Orderflow warn about meters
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        List<Logger> loggers = List.of(logger(MicrometerMetrics.class.getName()), logger("io.micrometer"));
        loggers.forEach(logger -> logger.addAppender(warnings));
        try (OrderflowInstance instance = BrokerFixture.start(
                BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 2))) {
            String base = "http://127.0.0.1:" + instance.httpPort();
            HttpClient client = HttpClient.newHttpClient();

            // When Micrometer's Kafka Streams binder has bound the task-level metrics too (its refresh, which picks
            // up what appeared after start-up, runs a minute after binding)
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> body(client, base + "/metrics").contains("\nkafka_stream_task_"));
            String metrics = body(client, base + "/metrics");

            // Then every store's estimate-num-keys Kafka Streams keeps is exported, one series per store and task
            Set<String> kept = instance.streams().metrics().keySet().stream()
                    .filter(name -> name.group().equals("stream-state-metrics")
                            && name.name().equals("estimate-num-keys"))
                    .map(MetricsIntegrationTest::storeAndTask)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> exported = new TreeSet<>();
            Set<String> labelKeys = new TreeSet<>();
            Matcher series = ESTIMATE_NUM_KEYS.matcher(metrics);
            while (series.find()) {
                Map<String, String> labels = labels(series.group(1));
                labelKeys.add(String.join(",", labels.keySet()));
                String store = labels.entrySet().stream()
                        .filter(label -> label.getKey().equals("store") || label.getKey().endsWith("_state_id"))
                        .map(Map.Entry::getValue).findFirst().orElse("?");
                exported.add(store + "@" + labels.get("task_id"));
            }
            assertThat(exported).isEqualTo(kept);
            assertThat(labelKeys).as("one set of label keys for every store type")
                    .containsExactly("kafka_version,store,store_type,task_id,thread_id");
            assertThat(kept).as("every store in each of the two partitions' tasks").hasSize(STORES.size() * 2);
            assertThat(exported.stream().map(pair -> pair.substring(0, pair.indexOf('@'))).collect(Collectors.toSet()))
                    .isEqualTo(STORES);
            assertThat(warnings.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage)).as("meters refused").isEmpty();
        } finally {
            loggers.forEach(logger -> logger.detachAppender(warnings));
        }
    }

    private static Logger logger(String name) {
        return (Logger) org.slf4j.LoggerFactory.getLogger(name);
    }

    /** {@code store@task} of a Kafka state store metric, whose store tag is named after the store's type. */
    private static String storeAndTask(MetricName name) {
        String store = name.tags().entrySet().stream().filter(tag -> tag.getKey().endsWith("-state-id"))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        return store + "@" + name.tags().get("task-id");
    }

    private static Map<String, String> labels(String labels) {
        Map<String, String> byName = new TreeMap<>();
        Matcher label = LABEL.matcher(labels);
        while (label.find()) {
            byName.put(label.group(1), label.group(2));
        }
        return byName;
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
