package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.verify.Verifier;
import io.orderflow.verify.VerifyOptions;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.domain.Rejection;
import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.InvariantReport;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input on every ingress topic of one instance on a real broker (a {@code TopologyTestDriver} does not
 * run the error handlers' dead letters through a producer, nor a broker's size limits). Valid orders, deposits and
 * adjustments are interleaved with random bytes, truncated Avro, an unknown schema id, invalid JSON, missing and
 * mistyped fields, the largest records a default producer sends (keyed, keyless, in the value or in the headers),
 * negative quantities, unknown skus, 51 lines, unknown and mismatched currencies, keys that differ from the id,
 * keyless records and duplicates. Each record's fate is then read back from the topics — {@code order.status} and
 * {@code orderflow.dlq} — and reconciled per topic: in = processed + rejected + dead-lettered + duplicates.
 */
class HostileIngressIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final Logger log = LoggerFactory.getLogger(HostileIngressIntegrationTest.class);
    private static final int PARTITIONS = 3;
    private static final int ONE_MIB = 1024 * 1024;
    private static final Duration SETTLED = Duration.ofSeconds(60);
    private static final Pattern SERIES = Pattern.compile("^(\\w+)\\{topic=\"([^\"]+)\"} ([0-9.E]+)$",
            Pattern.MULTILINE);

    /** What became of an ingress record. */
    enum Fate { PROCESSED, REJECTED, DEAD_LETTERED, DUPLICATE, UNACCOUNTED }

    /**
     * @param reason a dead letter's {@code orderflow.reason}, or the cancel reason of a rejected order
     */
    record Outcome(Fate fate, String reason) {
        static Outcome processed() {
            return new Outcome(Fate.PROCESSED, null);
        }

        static Outcome confirmed() {
            return new Outcome(Fate.PROCESSED, OrderStatus.CONFIRMED.name());
        }

        static Outcome cancelledByCustomer() {
            return new Outcome(Fate.PROCESSED, CancelReason.CUSTOMER.name());
        }

        static Outcome rejected(CancelReason reason) {
            return new Outcome(Fate.REJECTED, reason.name());
        }

        static Outcome deadLettered(String reason) {
            return new Outcome(Fate.DEAD_LETTERED, reason);
        }

        static Outcome duplicate() {
            return new Outcome(Fate.DUPLICATE, null);
        }
    }

    /** One topic's figures, all read from the topics. */
    record Reconciliation(String topic, int in, int processed, int rejected, int deadLettered, int duplicates,
                          int unaccounted) {
        boolean balanced() {
            return unaccounted == 0 && in == processed + rejected + deadLettered + duplicates;
        }

        @Override
        public String toString() {
            return topic + ": in " + in + " = processed " + processed + " + rejected " + rejected
                    + " + dead-lettered " + deadLettered + " + duplicates " + duplicates
                    + (unaccounted == 0 ? "" : " (unaccounted " + unaccounted + ")");
        }
    }

    @Test
    void shouldAccountForEveryHostileRecordWhenInterleavedWithValidTraffic(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Properties props = BrokerFixture.instanceProps(bootstrap, state, PARTITIONS);
        try (OrderflowInstance instance = BrokerFixture.start(props);
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            // Given a running instance with stock and funds
            Set<String> threadsAtStart = threadNames(instance);
            Traffic traffic = new Traffic(producer);
            traffic.adjustment("seed apple", "apple", json(new StockAdjusted("seed-apple", "apple", 1_000, "restock",
                    null)), Outcome.processed());
            traffic.adjustment("seed pear", "pear", json(new StockAdjusted("seed-pear", "pear", 1_000, "restock",
                    null)), Outcome.processed());
            for (String customer : List.of("alice", "bob")) {
                traffic.deposit("seed " + customer, customer, json(new FundsDeposited("seed-" + customer, customer,
                        1_000_000L, "EUR")), Outcome.processed());
            }

            // When valid traffic runs with hostile records in between, on every ingress topic
            List<Runnable> hostile = hostileRecords(traffic);
            for (int i = 0; i < hostile.size(); i++) {
                String orderId = "valid-" + i;
                traffic.order("valid order " + i, orderId, placed(orderId, i % 2 == 0 ? "alice" : "bob", "EUR",
                        new OrderLine("apple", 1, 100L), new OrderLine("pear", 2, 50L)), Outcome.confirmed());
                hostile.get(i).run();
            }
            Map<Coordinates, Sent> sent = traffic.awaitSent();

            // Then every record is accounted for exactly once, as expected
            Map<String, Reconciliation> figures = new TreeMap<>();
            Map<Coordinates, Outcome> fates = new HashMap<>();
            // (a record whose dead letter is not written yet looks applied, so wait for every expected fate)
            await().atMost(SETTLED).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                fates.clear();
                fates.putAll(observedFates(bootstrap));
                assertThat(fates).containsOnlyKeys(sent.keySet());
                assertThat(fates.values()).noneMatch(o -> o.fate() == Fate.UNACCOUNTED);
                for (Sent record : sent.values()) {
                    assertThat(fates.get(record.at())).as(record.label() + " at " + record.at())
                            .isEqualTo(record.expected());
                }
            });
            for (Topic<byte[]> topic : List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
                    Topics.PAYMENT_DEPOSITS)) {
                figures.put(topic.name(), reconcile(topic.name(), fates));
            }
            assertThat(figures.values()).allMatch(Reconciliation::balanced, "in = processed + rejected + dlq + dup");
            log.info("Hostile ingress reconciliation:\n  {}", figures.values().stream()
                    .map(Reconciliation::toString).collect(Collectors.joining("\n  ")));

            // And the dead letters name their source and reason, and the metrics agree with the topics
            List<ConsumerRecord<String, byte[]>> letters = readAll(bootstrap, Topics.DEAD_LETTERS.name());
            assertThat(letters).allSatisfy(HostileIngressIntegrationTest::assertNamesSourceAndReason);
            assertThat(letters).allSatisfy(letter -> assertThat(letter.serializedValueSize())
                    .isLessThanOrEqualTo(DeadLetters.MAX_VALUE_BYTES));
            List<ConsumerRecord<String, byte[]>> truncated = letters.stream()
                    .filter(l -> DeadLetters.header(l.headers(), DeadLetters.ORIGINAL_SIZE) != null).toList();
            assertThat(truncated).as("the largest records' dead letters").hasSize(4).allSatisfy(letter -> {
                assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).isEqualTo(Rejection.TOO_LARGE);
                assertThat(DeadLetters.header(letter.headers(), DeadLetters.TRUNCATED)).isNotBlank();
                assertThat(Integer.parseInt(DeadLetters.header(letter.headers(), DeadLetters.ORIGINAL_SIZE)))
                        .isGreaterThan(IngressStreams.MAX_RECORD_BYTES);
            });
            String scrape = instance.metrics().scrape();
            Map<String, Long> dlqMetric = series(scrape, "dlq_records_total");
            Map<String, Long> duplicateMetric = series(scrape, "idempotency_duplicates_total");
            for (Reconciliation topic : figures.values()) {
                assertThat(dlqMetric.get(topic.topic())).as("dlq_records_total " + topic.topic())
                        .isEqualTo(topic.deadLettered());
                assertThat(duplicateMetric.get(topic.topic())).as("idempotency_duplicates_total " + topic.topic())
                        .isEqualTo(topic.duplicates());
            }
            assertThat(letters).hasSize(figures.values().stream().mapToInt(Reconciliation::deadLettered).sum());

            // And saga verify finds every invariant holding
            InvariantReport report = await().atMost(SETTLED).pollInterval(Duration.ofSeconds(1)).until(
                    () -> new Verifier(VerifyOptions.of(bootstrap, Duration.ofSeconds(30)),
                            new PrintWriter(new StringWriter())).run(), InvariantReport::ok);
            assertThat(report.ok()).as(report.toString()).isTrue();

            // And no stream thread died or was replaced
            assertThat(instance.streamThreadFailures()).isZero();
            assertThat(threadNames(instance)).isEqualTo(threadsAtStart);
            assertThat(instance.streams().state().isRunningOrRebalancing()).isTrue();
        }
    }

    @Test
    void shouldFailTheSendWithRecordTooLargeWhenRecordIsOneMebibyte(@TempDir Path state) throws Exception {
        // Given the ingress topics, their end offsets, a default producer and one allowed larger requests
        String bootstrap = KAFKA.bootstrapServers();
        TopicSetup.ensure(BrokerFixture.instanceProps(bootstrap, state, PARTITIONS), Duration.ofSeconds(30));
        Map<TopicPartition, Long> before = endOffsets(bootstrap);
        Properties larger = new Properties();
        larger.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        larger.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 * ONE_MIB));
        byte[] oneMebibyte = new byte[ONE_MIB];
        Arrays.fill(oneMebibyte, (byte) 'x');
        try (KafkaProducer<String, byte[]> defaults = BrokerFixture.producer(bootstrap);
             KafkaProducer<String, byte[]> unbounded = new KafkaProducer<>(larger, new StringSerializer(),
                     new ByteArraySerializer())) {
            for (Topic<byte[]> topic : List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
                    Topics.PAYMENT_DEPOSITS)) {
                // When a 1 MiB value is sent, by the producer's own limit and by the broker's
                Future<RecordMetadata> refusedByProducer = defaults.send(new ProducerRecord<>(topic.name(), "big",
                        oneMebibyte));
                Future<RecordMetadata> refusedByBroker = unbounded.send(new ProducerRecord<>(topic.name(), "big",
                        oneMebibyte));

                // Then the sender is told, with Kafka's RecordTooLargeException
                assertThatThrownBy(() -> refusedByProducer.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(RecordTooLargeException.class)
                        .hasMessageContaining(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
                assertThatThrownBy(() -> refusedByBroker.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(RecordTooLargeException.class);
            }
        }
        // And nothing reached a topic
        assertThat(endOffsets(bootstrap)).isEqualTo(before);
    }

    /** One hostile record per entry; each is sent after a valid order. */
    private static List<Runnable> hostileRecords(Traffic t) {
        Random random = new Random(7);
        List<Runnable> records = new ArrayList<>();
        String unreadable = Rejection.UNREADABLE;
        String invalid = Rejection.INVALID;

        // order.events
        String avroOrder = "avro-order";
        records.add(() -> t.order("random bytes", "junk-1", randomBytes(random, 512),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("keyless random bytes", null, randomBytes(random, 64),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("truncated Avro", "trunc-1", truncate(avro(placed("trunc-1", "alice", "EUR",
                new OrderLine("apple", 1, 100L)))), Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("valid Avro", avroOrder, avro(placed(avroOrder, "bob", "EUR",
                new OrderLine("apple", 1, 100L))), Outcome.confirmed()));
        records.add(() -> t.order("unknown schema id", "sid-1", unknownSchemaId(), Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("invalid JSON", "bad-json", utf8("{\"type\":\"OrderPlaced\",\"orderId\":"),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("JSON without customerId", "missing-1", utf8("{\"type\":\"OrderPlaced\","
                + "\"orderId\":\"missing-1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":1,"
                + "\"unitPrice\":100}]}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("JSON with a string quantity", "mistyped-1", utf8("{\"type\":\"OrderPlaced\","
                + "\"orderId\":\"mistyped-1\",\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":"
                + "\"apple\",\"quantity\":\"two\",\"unitPrice\":100}]}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("empty value", "empty-1", new byte[0], Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("null value", "null-1", null, Outcome.deadLettered(unreadable)));
        records.add(() -> t.order("largest sendable, in the customerId", "huge-1", padded(largestSendable("huge-1"),
                filler -> placed("huge-1", filler, "EUR", new OrderLine("apple", 1, 100L)), 'c'),
                Outcome.deadLettered(Rejection.TOO_LARGE)));
        records.add(() -> t.order("keyless, largest sendable, random bytes", null,
                randomBytes(random, largestSendable(null)), Outcome.deadLettered(Rejection.TOO_LARGE)));
        records.add(() -> t.order("negative quantity", "neg-qty", placed("neg-qty", "alice", "EUR",
                new OrderLine("apple", -2, 100L)), Outcome.rejected(CancelReason.INVALID_ORDER)));
        records.add(() -> t.order("unknown sku", "no-sku", placed("no-sku", "alice", "EUR",
                new OrderLine("caviar", 1, 100L)), Outcome.rejected(CancelReason.UNKNOWN_SKU)));
        records.add(() -> t.order("51 lines", "lines-51", placed("lines-51", "alice", "EUR",
                IntStream.range(0, 51).mapToObj(i -> new OrderLine("sku-" + i, 1, 1L)).toArray(OrderLine[]::new)),
                Outcome.rejected(CancelReason.INVALID_ORDER)));
        records.add(() -> t.order("unknown currency", "cur-xyz", placed("cur-xyz", "alice", "XYZ",
                new OrderLine("apple", 1, 100L)), Outcome.rejected(CancelReason.INVALID_ORDER)));
        records.add(() -> t.order("currency of another account", "cur-usd", placed("cur-usd", "alice", "USD",
                new OrderLine("apple", 1, 100L)), Outcome.rejected(CancelReason.CURRENCY_MISMATCH)));
        records.add(() -> t.order("key differs from orderId", "someone-else", placed("key-mismatch", "alice", "EUR",
                new OrderLine("apple", 1, 100L)), Outcome.deadLettered(invalid)));
        records.add(() -> t.order("keyless valid order", null, placed("keyless-1", "bob", "EUR",
                new OrderLine("pear", 1, 100L)), Outcome.confirmed()));
        records.add(() -> t.order("same eventId again", "valid-0", placed("valid-0", "alice", "EUR",
                new OrderLine("apple", 1, 100L), new OrderLine("pear", 2, 50L)), Outcome.duplicate()));
        records.add(() -> t.order("same orderId, new eventId", "valid-1", json(new OrderEvent("again-1", "valid-1",
                new OrderPlaced("bob", "EUR", List.of(new OrderLine("apple", 9, 100L)), null))), Outcome.duplicate()));
        records.add(() -> {
            t.order("order the customer cancels", "regret", placed("regret", "bob", "EUR",
                    new OrderLine("pear", 1, 100L)), Outcome.cancelledByCustomer());
            t.order("the customer's cancel", "regret", json(new OrderEvent("cancel-regret", "regret",
                    new OrderCancelRequested())), Outcome.cancelledByCustomer());
        });
        records.add(() -> t.order("cancel of an unknown order", "nobody", json(new OrderEvent("cancel-nobody",
                "nobody", new OrderCancelRequested())), Outcome.deadLettered(Rejection.UNKNOWN_ORDER)));

        // inventory.adjustments
        records.add(() -> t.adjustment("random bytes", "apple", randomBytes(random, 300),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("truncated Avro", "apple", truncate(avro(new StockAdjusted("a-trunc", "apple",
                5, "restock", null))), Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("unknown schema id", "apple", unknownSchemaId(),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("invalid JSON", "apple", utf8("{\"sku\":\"apple\",\"delta\":}"),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("JSON without reason", "apple", utf8("{\"eventId\":\"a-noreason\","
                + "\"sku\":\"apple\",\"delta\":5}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("JSON with a string delta", "apple", utf8("{\"eventId\":\"a-mistyped\","
                + "\"sku\":\"apple\",\"delta\":\"ten\",\"reason\":\"restock\"}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.adjustment("largest sendable, in the reason", "apple", padded(largestSendable("apple"),
                filler -> json(new StockAdjusted("a-huge", "apple", 5, filler, null)), 'r'),
                Outcome.deadLettered(Rejection.TOO_LARGE)));
        records.add(() -> t.adjustment("negative quantity beyond stock", "apple", json(new StockAdjusted("a-neg",
                "apple", -1_000_000, "shrinkage", null)), Outcome.deadLettered(Rejection.BELOW_RESERVED)));
        records.add(() -> t.adjustment("shrinkage of an unknown sku", "ghost", json(new StockAdjusted("a-ghost",
                "ghost", -5, "shrinkage", null)), Outcome.deadLettered(Rejection.BELOW_RESERVED)));
        records.add(() -> t.adjustment("zero delta", "apple", json(new StockAdjusted("a-zero", "apple", 0, "count",
                null)), Outcome.deadLettered(invalid)));
        records.add(() -> t.adjustment("stale expectedVersion", "pear", json(new StockAdjusted("a-stale", "pear", 5,
                "restock", 999L)), Outcome.deadLettered(Rejection.VERSION_CONFLICT)));
        records.add(() -> t.adjustment("key differs from sku", "pear", json(new StockAdjusted("a-km", "apple", 5,
                "restock", null)), Outcome.deadLettered(invalid)));
        records.add(() -> t.adjustment("sku with illegal characters", "bad sku!", json(new StockAdjusted("a-badsku",
                "bad sku!", 5, "restock", null)), Outcome.deadLettered(invalid)));
        records.add(() -> t.adjustment("keyless restock", null, json(new StockAdjusted("a-keyless", "pear", 5,
                "restock", null)), Outcome.processed()));
        records.add(() -> t.adjustment("same eventId again", "apple", json(new StockAdjusted("seed-apple", "apple",
                1_000, "restock", null)), Outcome.duplicate()));

        // payment.deposits
        records.add(() -> t.deposit("random bytes", "alice", randomBytes(random, 128),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("truncated Avro", "alice", truncate(avro(new FundsDeposited("d-trunc", "alice",
                100L, "EUR"))), Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("unknown schema id", "alice", unknownSchemaId(),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("invalid JSON", "alice", utf8("{\"customerId\":\"alice\",,}"),
                Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("JSON without currency", "alice", utf8("{\"eventId\":\"d-nocur\","
                + "\"customerId\":\"alice\",\"amount\":100}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("JSON with a fractional amount", "alice", utf8("{\"eventId\":\"d-frac\","
                + "\"customerId\":\"alice\",\"amount\":12.5,\"currency\":\"EUR\"}"), Outcome.deadLettered(unreadable)));
        records.add(() -> t.deposit("keyless, largest sendable, in the eventId", null, padded(largestSendable(null),
                filler -> json(new FundsDeposited(filler, "alice", 100L, "EUR")), 'e'),
                Outcome.deadLettered(Rejection.TOO_LARGE)));
        records.add(() -> t.send("keyless deposit with near 1 MiB of headers", Topics.PAYMENT_DEPOSITS, null,
                json(new FundsDeposited("d-headers", "alice", 100L, "EUR")), hugeHeaders(),
                Outcome.deadLettered(Rejection.TOO_LARGE)));
        records.add(() -> t.deposit("negative amount", "alice", json(new FundsDeposited("d-neg", "alice", -500L,
                "EUR")), Outcome.deadLettered(invalid)));
        records.add(() -> t.deposit("unknown currency", "alice", json(new FundsDeposited("d-xyz", "alice", 500L,
                "XYZ")), Outcome.deadLettered(invalid)));
        records.add(() -> t.deposit("currency of another account", "alice", json(new FundsDeposited("d-usd", "alice",
                500L, "USD")), Outcome.deadLettered(Rejection.CURRENCY_MISMATCH)));
        records.add(() -> t.deposit("key differs from customerId", "bob", json(new FundsDeposited("d-km", "alice",
                500L, "EUR")), Outcome.deadLettered(invalid)));
        records.add(() -> t.deposit("keyless deposit", null, json(new FundsDeposited("d-keyless", "bob", 500L,
                "EUR")), Outcome.processed()));
        records.add(() -> t.deposit("same eventId again", "alice", json(new FundsDeposited("seed-alice", "alice",
                1_000_000L, "EUR")), Outcome.duplicate()));
        return records;
    }

    /** A record sent: what it was, where it landed and what should become of it. */
    record Sent(String label, Coordinates at, Outcome expected) {
    }

    /** Sends records and remembers what each should become, to compare with what the topics say. */
    private static final class Traffic {
        private final KafkaProducer<String, byte[]> producer;
        private final Map<String, Future<RecordMetadata>> pending = new LinkedHashMap<>();
        private final Map<String, Outcome> expected = new HashMap<>();

        Traffic(KafkaProducer<String, byte[]> producer) {
            this.producer = producer;
        }

        void order(String label, String key, byte[] value, Outcome outcome) {
            send(Topics.ORDER_EVENTS.name() + ": " + label, Topics.ORDER_EVENTS, key, value, null, outcome);
        }

        void adjustment(String label, String key, byte[] value, Outcome outcome) {
            send(Topics.INVENTORY_ADJUSTMENTS.name() + ": " + label, Topics.INVENTORY_ADJUSTMENTS, key, value, null,
                    outcome);
        }

        void deposit(String label, String key, byte[] value, Outcome outcome) {
            send(Topics.PAYMENT_DEPOSITS.name() + ": " + label, Topics.PAYMENT_DEPOSITS, key, value, null, outcome);
        }

        void send(String label, Topic<byte[]> topic, String key, byte[] value, RecordHeaders headers,
                  Outcome outcome) {
            assertThat(expected).doesNotContainKey(label);
            pending.put(label, producer.send(new ProducerRecord<>(topic.name(), null, key, value, headers)));
            expected.put(label, outcome);
        }

        /** Waits for every send; each must have reached its topic. */
        Map<Coordinates, Sent> awaitSent() throws Exception {
            producer.flush();
            Map<Coordinates, Sent> sent = new HashMap<>();
            for (Map.Entry<String, Future<RecordMetadata>> entry : pending.entrySet()) {
                RecordMetadata metadata = entry.getValue().get(30, TimeUnit.SECONDS);
                Coordinates at = Coordinates.of(metadata.topic(), metadata.partition(), metadata.offset());
                sent.put(at, new Sent(entry.getKey(), at, expected.get(entry.getKey())));
            }
            return sent;
        }
    }

    /**
     * What became of each ingress record, from the topics alone: dead-lettered if {@code orderflow.dlq} names it
     * (exactly once), a duplicate if its eventId (or, for an OrderPlaced, its orderId) was taken by an earlier
     * record, else its order's terminal status on {@code order.status} — CONFIRMED or cancelled by the customer is
     * processed (with that status as its reason), any other cancel reason a rejection. An applied deposit or
     * adjustment is processed.
     */
    private static Map<Coordinates, Outcome> observedFates(String bootstrap) {
        Map<Coordinates, List<String>> letters = new HashMap<>();
        for (ConsumerRecord<String, byte[]> letter : readAll(bootstrap, Topics.DEAD_LETTERS.name())) {
            Coordinates source = Coordinates.of(DeadLetters.header(letter.headers(), DeadLetters.TOPIC),
                    Integer.parseInt(DeadLetters.header(letter.headers(), DeadLetters.PARTITION)),
                    Long.parseLong(DeadLetters.header(letter.headers(), DeadLetters.OFFSET)));
            letters.computeIfAbsent(source, k -> new ArrayList<>())
                    .add(DeadLetters.header(letter.headers(), DeadLetters.REASON));
        }
        Map<String, OrderStatusChanged> terminal = new HashMap<>();
        try (KafkaConsumer<String, OrderStatusChanged> status = BrokerFixture.statusConsumer(bootstrap)) {
            for (List<OrderStatusChanged> batch = BrokerFixture.poll(status); !batch.isEmpty();
                 batch = BrokerFixture.poll(status)) {
                batch.stream().filter(s -> BrokerFixture.isTerminal(s.getStatus()))
                        .forEach(s -> terminal.put(s.getOrderId(), s));
            }
        }
        IngressReader reader = new IngressReader(LocalSchemaRegistry.instance());
        Map<Coordinates, Outcome> fates = new HashMap<>();
        for (Topic<byte[]> topic : List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
                Topics.PAYMENT_DEPOSITS)) {
            Set<String> eventIds = new HashSet<>();
            Set<String> orderIds = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : readAll(bootstrap, topic.name())) {
                Coordinates at = Coordinates.of(record.topic(), record.partition(), record.offset());
                List<String> reasons = letters.getOrDefault(at, List.of());
                if (reasons.size() > 1) {
                    fates.put(at, new Outcome(Fate.UNACCOUNTED, "dead-lettered " + reasons.size() + " times"));
                } else if (reasons.size() == 1) {
                    fates.put(at, Outcome.deadLettered(reasons.get(0)));
                } else {
                    fates.put(at, applied(topic, record.value(), reader, eventIds, orderIds, terminal));
                }
            }
        }
        return fates;
    }

    private static Outcome applied(Topic<byte[]> topic, byte[] value, IngressReader reader, Set<String> eventIds,
                                   Set<String> orderIds, Map<String, OrderStatusChanged> terminal) {
        try {
            if (topic == Topics.INVENTORY_ADJUSTMENTS) {
                return eventIds.add(reader.stockAdjusted(value).getEventId()) ? Outcome.processed()
                        : Outcome.duplicate();
            }
            if (topic == Topics.PAYMENT_DEPOSITS) {
                return eventIds.add(reader.fundsDeposited(value).getEventId()) ? Outcome.processed()
                        : Outcome.duplicate();
            }
            OrderEvent event = reader.orderEvent(value);
            boolean placed = event.getEvent() instanceof OrderPlaced;
            if (!eventIds.add(event.getEventId()) || placed && !orderIds.add(event.getOrderId())) {
                return Outcome.duplicate();
            }
            OrderStatusChanged end = terminal.get(event.getOrderId());
            if (end == null) {
                return new Outcome(Fate.UNACCOUNTED, "no terminal status yet");
            }
            if (end.getStatus() == OrderStatus.CONFIRMED) {
                return Outcome.confirmed();
            }
            if (end.getReason() == CancelReason.CUSTOMER) {
                return Outcome.cancelledByCustomer();
            }
            return Outcome.rejected(end.getReason());
        } catch (InvalidRecordException e) {
            return new Outcome(Fate.UNACCOUNTED, "unreadable and not dead-lettered: " + e.getMessage());
        }
    }

    private static Reconciliation reconcile(String topic, Map<Coordinates, Outcome> fates) {
        Map<Fate, Long> counts = fates.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                .collect(Collectors.groupingBy(e -> e.getValue().fate(), Collectors.counting()));
        int in = (int) fates.keySet().stream().filter(c -> c.topic().equals(topic)).count();
        return new Reconciliation(topic, in, count(counts, Fate.PROCESSED), count(counts, Fate.REJECTED),
                count(counts, Fate.DEAD_LETTERED), count(counts, Fate.DUPLICATE), count(counts, Fate.UNACCOUNTED));
    }

    private static int count(Map<Fate, Long> counts, Fate fate) {
        return counts.getOrDefault(fate, 0L).intValue();
    }

    private static void assertNamesSourceAndReason(ConsumerRecord<String, byte[]> letter) {
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.TOPIC)).isIn(Topics.ORDER_EVENTS.name(),
                Topics.INVENTORY_ADJUSTMENTS.name(), Topics.PAYMENT_DEPOSITS.name());
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.PARTITION)).matches("[0-9]+");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.OFFSET)).matches("[0-9]+");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).isNotBlank();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.MESSAGE)).isNotBlank();
    }

    /** Every record of {@code topic}, read_committed, in partition and offset order. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            records.sort(Comparator.<ConsumerRecord<String, byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic<byte[]> topic : List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
                    Topics.PAYMENT_DEPOSITS)) {
                consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    /** {@code name{topic="…"} value} series of one Prometheus family, by topic. */
    private static Map<String, Long> series(String scrape, String family) {
        Map<String, Long> values = new HashMap<>();
        Matcher m = SERIES.matcher(scrape);
        while (m.find()) {
            if (m.group(1).equals(family)) {
                values.put(m.group(2), (long) Double.parseDouble(m.group(3)));
            }
        }
        return values;
    }

    private static Set<String> threadNames(OrderflowInstance instance) {
        return instance.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName)
                .collect(Collectors.toSet());
    }

    private static byte[] placed(String orderId, String customer, String currency, OrderLine... lines) {
        return json(new OrderEvent("e-" + orderId, orderId, new OrderPlaced(customer, currency, List.of(lines), null)));
    }

    private static byte[] json(OrderEvent event) {
        return IngressJson.write(event);
    }

    private static byte[] json(StockAdjusted adjustment) {
        return IngressJson.write(adjustment);
    }

    private static byte[] json(FundsDeposited deposit) {
        return IngressJson.write(deposit);
    }

    /** The OrderPlaced JSON of {@code placed(…)} as Avro in the Schema Registry wire format. */
    private static byte[] avro(byte[] orderJson) {
        OrderEvent event = new IngressReader(LocalSchemaRegistry.instance()).orderEvent(orderJson);
        return new AvroSerde<>(OrderEvent.class, LocalSchemaRegistry.instance()).serializer()
                .serialize(Topics.ORDER_EVENTS.name(), event);
    }

    private static byte[] avro(StockAdjusted adjustment) {
        return new AvroSerde<>(StockAdjusted.class, LocalSchemaRegistry.instance()).serializer()
                .serialize(Topics.INVENTORY_ADJUSTMENTS.name(), adjustment);
    }

    private static byte[] avro(FundsDeposited deposit) {
        return new AvroSerde<>(FundsDeposited.class, LocalSchemaRegistry.instance()).serializer()
                .serialize(Topics.PAYMENT_DEPOSITS.name(), deposit);
    }

    /** The wire-format header and half the Avro body. */
    private static byte[] truncate(byte[] wire) {
        return Arrays.copyOf(wire, 5 + (wire.length - 5) / 2);
    }

    private static byte[] unknownSchemaId() {
        return ByteBuffer.allocate(13).put((byte) 0).putInt(0x7abcdef0).putLong(42L).array();
    }

    /** Bytes that are neither JSON nor the wire format: the first byte is neither '{' nor 0. */
    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0xfe;
        return bytes;
    }

    private static RecordHeaders hugeHeaders() {
        RecordHeaders headers = new RecordHeaders();
        byte[] filler = new byte[ONE_MIB / 4 - 1024];
        Arrays.fill(filler, (byte) 'h');
        for (int i = 0; i < 3; i++) {
            headers.add("filler-" + i, filler);
        }
        return headers;
    }

    /**
     * The largest value a producer with default settings sends under {@code key}: 1 MiB
     * ({@code max.request.size}) less the batch and record overhead, as the producer itself estimates it. Such a
     * record fits the broker's default limit too — and anything Streams adds to it (headers, a key) would not.
     */
    private static int largestSendable(String key) {
        int overhead = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE, key == null ? null : utf8(key), new byte[0], new Header[0]);
        return ONE_MIB - overhead - 2; // the value's length varint grows from 1 byte to 3
    }

    /** {@code build}'s record with its one variable field filled so that the whole is {@code size} bytes. */
    private static byte[] padded(int size, Function<String, byte[]> build, char fill) {
        int base = build.apply("").length;
        return build.apply(String.valueOf(fill).repeat(size - base));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
