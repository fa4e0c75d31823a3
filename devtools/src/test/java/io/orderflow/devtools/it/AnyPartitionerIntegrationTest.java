package io.orderflow.devtools.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.verify.VerifyFixture;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.serde.IngressJson;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Producers that do not place records the way Java's default partitioner does — one that names a wrong partition for
 * every record, and one with librdkafka's default {@code consistent_random} (CRC32 of the key), which every
 * librdkafka-based client uses — on all three ingress topics of a real broker: every order still reaches the
 * outcome its stock and funds call for, stock and balances answer over HTTP, the reroutes are counted, and
 * {@code saga verify} (PLACEMENT included) is OK.
 */
class AnyPartitionerIntegrationTest {
    private static final int PARTITIONS = 6;

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** librdkafka's {@code consistent_random} for keyed records: CRC32 of the key bytes modulo the partitions. */
    public static final class Crc32Partitioner implements Partitioner {
        static int partition(byte[] key, int partitions) {
            CRC32 crc = new CRC32();
            crc.update(key);
            return (int) (crc.getValue() % partitions);
        }

        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                             Cluster cluster) {
            return partition(keyBytes, cluster.partitionCountForTopic(topic));
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    @Test
    void shouldReachEveryOutcomeWhenProducersPlaceRecordsOnOtherPartitionsThanTheirKeys(@TempDir Path state)
            throws Exception {
        // Given an instance on six partitions, and one producer that puts every record on a partition its key does
        // not hash to, and one that partitions as librdkafka does
        String bootstrap = KAFKA.bootstrapServers();
        Properties props = BrokerFixture.instanceProps(bootstrap, state, PARTITIONS);
        try (OrderflowInstance instance = BrokerFixture.start(props);
             KafkaProducer<String, byte[]> wrong = producer(bootstrap, null);
             KafkaProducer<String, byte[]> crc32 = producer(bootstrap, Crc32Partitioner.class);
             KafkaConsumer<String, OrderStatusChanged> status = BrokerFixture.statusConsumer(bootstrap)) {
            // When stock, funds and orders arrive through both
            Map<String, OrderStatus> expected = new HashMap<>();
            Map<String, CancelReason> reasons = new HashMap<>();
            sendWrong(wrong, Topics.INVENTORY_ADJUSTMENTS.name(), "apple", adjustment("apple", 100));
            sendWrong(wrong, Topics.INVENTORY_ADJUSTMENTS.name(), "pear", adjustment("pear", 1));
            sendWrong(wrong, Topics.INVENTORY_ADJUSTMENTS.name(), "kiwi", adjustment("kiwi", 50));
            sendWrong(wrong, Topics.PAYMENT_DEPOSITS.name(), "alice", deposit("alice", 100_000));
            sendWrong(wrong, Topics.PAYMENT_DEPOSITS.name(), "bob", deposit("bob", 100));
            crc32.send(new ProducerRecord<>(Topics.INVENTORY_ADJUSTMENTS.name(), "fig", adjustment("fig", 20)));
            crc32.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), "carol", deposit("carol", 5_000)));
            wrong.flush();
            crc32.flush();
            for (int i = 0; i < 10; i++) {
                sendWrong(wrong, Topics.ORDER_EVENTS.name(), "w-" + i, order("w-" + i, "alice", "apple", 1, 100));
                expected.put("w-" + i, OrderStatus.CONFIRMED);
                crc32.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), "c-" + i,
                        order("c-" + i, "alice", "kiwi", 1, 100)));
                expected.put("c-" + i, OrderStatus.CONFIRMED);
            }
            sendWrong(wrong, Topics.ORDER_EVENTS.name(), "w-short", order("w-short", "alice", "pear", 2, 100));
            expected.put("w-short", OrderStatus.CANCELLED);
            reasons.put("w-short", CancelReason.OUT_OF_STOCK);
            sendWrong(wrong, Topics.ORDER_EVENTS.name(), "w-poor", order("w-poor", "bob", "kiwi", 1, 500));
            expected.put("w-poor", OrderStatus.CANCELLED);
            reasons.put("w-poor", CancelReason.INSUFFICIENT_FUNDS);
            crc32.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), "c-fig", order("c-fig", "carol", "fig", 2,
                    100)));
            expected.put("c-fig", OrderStatus.CONFIRMED);
            wrong.flush();
            crc32.flush();
            // (the CRC32 producer misplaces some of its keys too, so both kinds are exercised)
            assertThat(expected.keySet()).filteredOn(id -> id.startsWith("c-"))
                    .anyMatch(id -> Crc32Partitioner.partition(bytes(id), PARTITIONS)
                            != IngressStreams.partitionOf(id, PARTITIONS));

            // Then every order ends as its stock and funds call for, well within the saga timeout
            Map<String, OrderStatusChanged> latest = new HashMap<>();
            await().atMost(Duration.ofSeconds(25)).until(() -> {
                BrokerFixture.poll(status).forEach(s -> latest.merge(s.getOrderId(), s,
                        (a, b) -> b.getVersion() > a.getVersion() ? b : a));
                return expected.keySet().stream().allMatch(id -> latest.containsKey(id)
                        && BrokerFixture.isTerminal(latest.get(id).getStatus()));
            });
            expected.forEach((id, outcome) -> assertThat(latest.get(id).getStatus()).as(id).isEqualTo(outcome));
            reasons.forEach((id, reason) -> assertThat(latest.get(id).getReason()).as(id).isEqualTo(reason));

            // And stock and balances answer over HTTP under their keys
            String http = "http://127.0.0.1:" + instance.httpPort();
            HttpClient client = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(get(client, http + "/inventory/apple")).contains("\"onHand\":90", "\"reserved\":0");
                assertThat(get(client, http + "/inventory/kiwi")).contains("\"onHand\":40", "\"reserved\":0");
                assertThat(get(client, http + "/inventory/pear")).contains("\"onHand\":1");
                assertThat(get(client, http + "/inventory/fig")).contains("\"onHand\":18", "\"reserved\":0");
                assertThat(get(client, http + "/accounts/alice")).contains("\"balance\":98000", "\"held\":0");
                assertThat(get(client, http + "/accounts/bob")).contains("\"balance\":100", "\"held\":0");
                assertThat(get(client, http + "/accounts/carol")).contains("\"balance\":4800", "\"held\":0");
            });

            // And each reroute is counted, by topic and cause
            String metrics = get(client, http + "/metrics");
            assertThat(counter(metrics, Topics.ORDER_EVENTS.name())).isGreaterThanOrEqualTo(12);
            assertThat(counter(metrics, Topics.INVENTORY_ADJUSTMENTS.name())).isGreaterThanOrEqualTo(3);
            assertThat(counter(metrics, Topics.PAYMENT_DEPOSITS.name())).isGreaterThanOrEqualTo(2);
        }

        // And saga verify finds every invariant held, every record of the keyed stores where its key belongs
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap, "--json",
                "--timeout", "30s");
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        JsonNode placement = result.json().path("invariants").path("PLACEMENT");
        assertThat(placement.path("status").asText()).isEqualTo("OK");
        assertThat(placement.path("checked").asInt()).isGreaterThan(20);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, Class<? extends Partitioner> partitioner) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (partitioner != null) {
            props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, partitioner.getName());
        }
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends to the partition after the one {@code key} hashes to: always the wrong one. */
    private static void sendWrong(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        int wrong = (IngressStreams.partitionOf(key, PARTITIONS) + 1) % PARTITIONS;
        producer.send(new ProducerRecord<>(topic, wrong, key, value));
    }

    private static byte[] adjustment(String sku, int delta) {
        return IngressJson.write(new StockAdjusted("a-" + sku, sku, delta, "restock", null));
    }

    private static byte[] deposit(String customer, long amount) {
        return IngressJson.write(new FundsDeposited("d-" + customer, customer, amount, "EUR"));
    }

    private static byte[] order(String orderId, String customer, String sku, int quantity, long unitPrice) {
        return IngressJson.write(new OrderEvent("e-" + orderId, orderId, new OrderPlaced(customer, "EUR",
                List.of(new OrderLine(sku, quantity, unitPrice)), null)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String get(HttpClient client, String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static double counter(String metrics, String topic) {
        Matcher m = Pattern.compile("ingress_repartitioned_total\\{cause=\"partition\",[^}]*topic=\""
                + Pattern.quote(topic) + "\"[^}]*} ([0-9.E]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
