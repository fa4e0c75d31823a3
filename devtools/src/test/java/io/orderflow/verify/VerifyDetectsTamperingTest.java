package io.orderflow.verify;

import io.orderflow.devtools.it.BrokerFixture;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.Stock;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga verify} finds and names what was done to a consistent cluster behind Orderflow's back. One broker
 * and one finished workload for the class; each test tampers with its own order, sku or partition and asserts
 * only on the violation it introduced, so the tests hold in any order even though they share the topics.
 */
class VerifyDetectsTamperingTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    static Path state;

    private static final SchemaRegistry REGISTRY = LocalSchemaRegistry.instance();
    private static final List<String> CONFIRMED = List.of("dup-order", "gap-order", "paid-order", "sold-order",
            "fine-order");
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void finishedWorkload() {
        String bootstrap = KAFKA.bootstrapServers();
        producer = BrokerFixture.producer(bootstrap);
        // The instance is stopped before any tampering, so that it never reacts to a tampered record.
        try (OrderflowInstance instance = BrokerFixture.start(BrokerFixture.instanceProps(bootstrap, state, 3))) {
            BrokerFixture.adjust(producer, "widget", 50);
            BrokerFixture.adjust(producer, "gadget", 1);
            BrokerFixture.deposit(producer, "alice", 100_000);
            BrokerFixture.deposit(producer, "bob", 10);
            producer.flush();
            for (String orderId : CONFIRMED) {
                BrokerFixture.place(producer, orderId, "alice",
                        new OrderLine(orderId.equals("sold-order") ? "gadget" : "widget", 1, 250L));
            }
            BrokerFixture.place(producer, "declined-order", "bob", new OrderLine("widget", 1, 250L));
            producer.flush();
            VerifyFixture.awaitStatus(bootstrap, CONFIRMED, OrderStatus.CONFIRMED);
            VerifyFixture.awaitStatus(bootstrap, List.of("declined-order"), OrderStatus.CANCELLED);
            assertThat(instance.streams().state().isRunningOrRebalancing()).isTrue();
        }
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void shouldNameTheOrderWhenAStatusIsDuplicated() throws Exception {
        // Given a status of dup-order produced a second time
        OrderStatusChanged second = status("dup-order", 2);
        send(Topics.ORDER_STATUS.name(), "dup-order", statusBytes(second));

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("CONTIGUOUS_VERSIONS")).anySatisfy(v -> assertThat(v)
                .startsWith("dup-order at order.status-").contains("duplicate or out-of-order version")
                .contains("found v2 again"));
        assertThat(result.out()).contains("CONTIGUOUS_VERSIONS — ").contains("dup-order at order.status-");
    }

    @Test
    void shouldNameTheOrderWhenAVersionIsSkipped() throws Exception {
        // Given gap-order's last status again, two versions further on
        OrderStatusChanged last = latestStatus("gap-order");
        OrderStatusChanged skipped = OrderStatusChanged.newBuilder(last).setVersion(last.getVersion() + 2).build();
        RecordMetadata at = send(Topics.ORDER_STATUS.name(), "gap-order", statusBytes(skipped));

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("CONTIGUOUS_VERSIONS")).contains("gap-order at " + coordinates(at)
                + ": gap in versions (expected v" + (last.getVersion() + 1) + ", found v" + (last.getVersion() + 2)
                + ")");
    }

    @Test
    void shouldNameTheSkuWhenStockIsOversold() throws Exception {
        // Given the stock changelog says one more gadget left than there ever was: onHand below zero
        String changelog = OrderflowConfig.APPLICATION_ID + "-" + StoreNames.INVENTORY_STOCK + "-changelog";
        AvroSerde<Stock> serde = new AvroSerde<>(Stock.class, REGISTRY);
        Stock stock = VerifyFixture.readAll(KAFKA.bootstrapServers(), changelog).stream()
                .filter(r -> "gadget".equals(r.key()) && r.value() != null)
                .map(r -> serde.deserializer().deserialize(changelog, r.value()))
                .reduce((first, second) -> second).orElseThrow();
        assertThat(stock.getOnHand()).isZero();
        Stock oversold = Stock.newBuilder(stock).setOnHand(-1).setVersion(stock.getVersion() + 1).build();
        send(changelog, "gadget", serde.serializer().serialize(changelog, oversold));

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("STOCK"))
                .anySatisfy(v -> assertThat(v).startsWith("gadget at").contains("onHand is negative")
                        .contains("found onHand -1"))
                .anySatisfy(v -> assertThat(v).startsWith("gadget at")
                        .contains("final onHand differs from adjustments minus confirmed lines")
                        .contains("expected onHand 0 (adjustments 1 - confirmed 1)"));
    }

    @Test
    void shouldNameTheKeyWhenStockSitsOnAnotherPartitionThanItsKey() throws Exception {
        // Given widget's stock also written to a partition of the changelog its key does not hash to — what a
        // restock placed by a non-Java partitioner left behind before ingress records were rerouted
        String changelog = OrderflowConfig.APPLICATION_ID + "-" + StoreNames.INVENTORY_STOCK + "-changelog";
        AvroSerde<Stock> serde = new AvroSerde<>(Stock.class, REGISTRY);
        int home = IngressStreams.partitionOf("stray-sku", 3);
        int away = (home + 1) % 3;
        Stock stray = Stock.newBuilder().setSku("stray-sku").setOnHand(5).setReservations(Map.of())
                .setVersion(1).build();
        RecordMetadata at = producer.send(new ProducerRecord<>(changelog, away, "stray-sku",
                serde.serializer().serialize(changelog, stray))).get();

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("PLACEMENT")).contains("stray-sku at " + coordinates(at) + ": "
                + StoreNames.INVENTORY_STOCK + " holds 'stray-sku' where no query or command for it looks (expected "
                + "partition " + home + ", found partition " + away + ")");
        assertThat(result.out()).contains("PLACEMENT — ");
    }

    @Test
    void shouldNameTheOrderWhenItIsCapturedTwice() throws Exception {
        // Given a second, distinct CAPTURED reply for paid-order
        AvroSerde<PaymentReply> serde = new AvroSerde<>(PaymentReply.class, REGISTRY);
        PaymentReply capture = VerifyFixture.readAll(KAFKA.bootstrapServers(), Topics.PAYMENT_REPLIES.name())
                .stream().map(r -> serde.deserializer().deserialize(r.topic(), r.value()))
                .filter(r -> r.getOrderId().equals("paid-order") && r.getType() == PaymentReplyType.CAPTURED)
                .findFirst().orElseThrow();
        PaymentReply again = PaymentReply.newBuilder(capture).setEventId(capture.getEventId() + "-again").build();
        RecordMetadata at = send(Topics.PAYMENT_REPLIES.name(), "paid-order",
                serde.serializer().serialize(Topics.PAYMENT_REPLIES.name(), again));

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("MONEY")).anySatisfy(v -> assertThat(v)
                .startsWith("paid-order at " + coordinates(at) + ": order captured more than once (customer alice)")
                .contains("found 2 captures"));
    }

    @Test
    void shouldNameTheRecordWhenAnOutputRecordIsUnreadable() throws Exception {
        // Given bytes on order.status that are no Avro at all
        RecordMetadata at = send(Topics.ORDER_STATUS.name(), "garbage-record",
                "this is not avro".getBytes(StandardCharsets.UTF_8));

        // When
        VerifyFixture.Result result = verify();

        // Then
        assertViolated(result);
        assertThat(result.violations("UNREADABLE_OUTPUT")).anySatisfy(v -> assertThat(v)
                .startsWith("garbage-record at " + coordinates(at) + ": output record cannot be read"));
    }

    @Test
    void shouldNameThePartitionWhenATransactionIsLeftOpen() throws Exception {
        // Given a transactional producer that wrote to order.status-0 and neither commits nor aborts
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "verify-test-" + UUID.randomUUID());
        // Should the test die before aborting, the broker aborts the transaction soon.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        try (KafkaProducer<String, byte[]> open = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            open.initTransactions();
            open.beginTransaction();
            try {
                RecordMetadata at = open.send(new ProducerRecord<>(Topics.ORDER_STATUS.name(), 0, "open-order",
                        statusBytes(latestStatus("fine-order")))).get();

                // When
                VerifyFixture.Result result = verify();

                // Then
                assertViolated(result);
                assertThat(result.violations("NO_OPEN_TRANSACTIONS")).containsExactly("order.status-0 at "
                        + coordinates(at) + ": open transaction: records from offset " + at.offset() + " on wait for "
                        + "a transaction that was neither committed nor aborted within 3s (expected last stable "
                        + "offset = end offset " + (at.offset() + 1) + ", found last stable offset " + at.offset()
                        + ")");
                assertThat(result.out()).contains("NO_OPEN_TRANSACTIONS — ").contains("order.status-0 at");
            } finally {
                open.abortTransaction();
            }
        }
    }

    @Test
    void shouldNameTheChangelogsWhenApplicationIdIsWrong() {
        // When
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", KAFKA.bootstrapServers(),
                "--application-id", "not-orderflow", "--json");

        // Then
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip()).startsWith("error: topics not-orderflow-inventory-stock-changelog, ")
                .contains("not-orderflow-customer-orders-view-changelog do not exist")
                .contains("--application-id").doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static VerifyFixture.Result verify() {
        return VerifyFixture.saga("verify", "--bootstrap-server", KAFKA.bootstrapServers(), "--json",
                "--timeout", "20s");
    }

    private static void assertViolated(VerifyFixture.Result result) {
        assertThat(result.code()).as(result.err()).isEqualTo(1);
        assertThat(result.json().path("ok").asBoolean(true)).isFalse();
        assertThat(result.out()).startsWith("Invariants: VIOLATED");
    }

    private static OrderStatusChanged status(String orderId, int version) {
        return statuses(orderId).stream().filter(s -> s.getVersion() == version).findFirst().orElseThrow();
    }

    private static OrderStatusChanged latestStatus(String orderId) {
        return statuses(orderId).stream().max(Comparator.comparingInt(OrderStatusChanged::getVersion)).orElseThrow();
    }

    private static List<OrderStatusChanged> statuses(String orderId) {
        AvroSerde<OrderStatusChanged> serde = new AvroSerde<>(OrderStatusChanged.class, REGISTRY);
        return VerifyFixture.readAll(KAFKA.bootstrapServers(), Topics.ORDER_STATUS.name()).stream()
                .filter(r -> orderId.equals(r.key()))
                .map(ConsumerRecord::value)
                .map(v -> serde.deserializer().deserialize(Topics.ORDER_STATUS.name(), v))
                .filter(s -> s.getOrderId().equals(orderId))
                .toList();
    }

    private static byte[] statusBytes(OrderStatusChanged status) {
        return Topics.ORDER_STATUS.valueSerde(REGISTRY).serializer().serialize(Topics.ORDER_STATUS.name(), status);
    }

    private static RecordMetadata send(String topic, String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static String coordinates(RecordMetadata at) {
        return at.topic() + "-" + at.partition() + "@" + at.offset();
    }
}
