package io.orderflow.devtools.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.state.Account;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance that starts without local state restores its stores from their changelogs before it answers:
 * {@code /ready} shows how far (records restored of records to restore, per store) and {@code /metrics} exports
 * the records remaining. The changelog is filled directly, as a long-running deployment leaves it, with many
 * accounts; the restore consumer takes small batches so that the restore lasts long enough to be watched.
 */
class RestoreProgressIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final int ACCOUNTS = 200_000;
    private static final int PARTITIONS = 6;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldShowRestoreProgressOnReadyAndInMetricsWhileStoresRestore(@TempDir Path dir) throws Exception {
        // Given a payment-accounts changelog of 200,000 accounts and an instance with an empty state directory
        String changelog = OrderflowConfig.APPLICATION_ID + "-" + StoreNames.PAYMENT_ACCOUNTS + "-changelog";
        KAFKA.admin().createTopics(List.of(new NewTopic(changelog, PARTITIONS, (short) 1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                .all().get(30, TimeUnit.SECONDS);
        fillChangelog(changelog);
        Properties props = BrokerFixture.instanceProps(KAFKA.bootstrapServers(), dir.resolve("state"), PARTITIONS);
        props.put(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "200");
        int port = Integer.parseInt(props.getProperty("http.port"));
        TopicSetup.ensure(props, Duration.ofSeconds(30));

        // When it starts
        CompletableFuture<OrderflowInstance> starting = CompletableFuture.supplyAsync(
                () -> OrderflowInstance.start(props, BrokerFixture.STARTUP));
        try {
            // Then, while it restores, /ready is 503 and shows the restore's progress, and /metrics the remainder
            List<JsonNode> restoring = new CopyOnWriteArrayList<>();
            AtomicLong remainingInMetrics = new AtomicLong();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
                HttpResponse<String> ready = get(port, "/ready");
                if (ready == null) {
                    return false;
                }
                JsonNode body = JSON.readTree(ready.body());
                JsonNode accounts = body.path("restoring").path(StoreNames.PAYMENT_ACCOUNTS);
                if (ready.statusCode() == 503 && accounts.path("restored").asLong() > 0
                        && accounts.path("remaining").asLong() > 0) {
                    restoring.add(body);
                }
                HttpResponse<String> metrics = get(port, "/metrics?name[]=state_restore_remaining_records");
                if (metrics != null) {
                    remainingInMetrics.accumulateAndGet(gauge(metrics.body(), "state_restore_remaining_records"),
                            Math::max);
                }
                return !restoring.isEmpty() && remainingInMetrics.get() > 0;
            });
            JsonNode seen = restoring.get(0);
            JsonNode accounts = seen.path("restoring").path(StoreNames.PAYMENT_ACCOUNTS);
            assertThat(seen.path("ready").asBoolean()).isFalse();
            assertThat(seen.path("reason").asText()).contains("restoring");
            assertThat(accounts.path("toRestore").asLong()).isBetween(1L, (long) ACCOUNTS);
            assertThat(accounts.path("restored").asLong() + accounts.path("remaining").asLong())
                    .isEqualTo(accounts.path("toRestore").asLong());
            assertThat(accounts.path("partitions").asInt()).isBetween(1, PARTITIONS);

            // And once restored it is ready, shows no restore, and has every account
            try (OrderflowInstance instance = starting.get(BrokerFixture.STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> status(port, "/ready") == 200);
                JsonNode ready = JSON.readTree(get(port, "/ready").body());
                assertThat(ready.has("restoring")).isFalse();
                assertThat(gauge(get(port, "/metrics?name[]=state_restore_remaining_records").body(),
                        "state_restore_remaining_records")).isZero();
                assertThat(status(port, "/accounts/c-" + (ACCOUNTS - 1))).isEqualTo(200);
                assertThat(instance.streamThreadFailures()).isZero();
            }
        } finally {
            starting.thenAccept(OrderflowInstance::close);
        }
    }

    private static void fillChangelog(String changelog) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        try (AvroSerde<Account> serde = new AvroSerde<>(Account.class, LocalSchemaRegistry.instance());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                     new ByteArraySerializer())) {
            for (int i = 0; i < ACCOUNTS; i++) {
                String customer = "c-" + i;
                Account account = new Account(customer, "EUR", 1_000L, new HashMap<>(), 1L, 0L);
                // The partition its key hashes to, as Streams itself would have written it
                int partition = org.apache.kafka.common.utils.Utils.toPositive(
                        org.apache.kafka.common.utils.Utils.murmur2(customer.getBytes())) % PARTITIONS;
                producer.send(new ProducerRecord<>(changelog, partition, customer,
                        serde.serializer().serialize(changelog, account)));
            }
            producer.flush();
        }
    }

    /** A gauge's value in a Prometheus text exposition; 0 when absent. */
    private static long gauge(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .max().orElse(0);
    }

    private static int status(int port, String path) {
        HttpResponse<String> response = get(port, path);
        return response == null ? -1 : response.statusCode();
    }

    /** The response, or null while the server does not answer yet. */
    private static HttpResponse<String> get(int port, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
