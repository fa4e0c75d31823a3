package io.orderflow.topology;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressReader;
import io.orderflow.topology.ingress.DeadLetters;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.orderflow.topology.OrderflowDriver.bytes;
import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;

/** Unreadable and refused ingress records go to {@code orderflow.dlq} whole, and the next record still flows. */
class IngressDeadLetterTopologyTest {
    private static final String GOOD = "{\"type\":\"OrderPlaced\",\"eventId\":\"e1\",\"orderId\":\"o1\","
            + "\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":100}]}";

    static Stream<byte[]> unreadable() {
        byte[] unknownSchemaId = ByteBuffer.allocate(9).put((byte) 0).putInt(0x7abcdef0).putInt(42).array();
        return Stream.of(
                new byte[]{(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef},
                bytes("{\"type\":\"OrderPlaced\",\"orderId\":"),
                bytes("{\"type\":\"OrderPlaced\",\"orderId\":\"o9\",\"customerId\":\"c1\",\"currency\":\"EUR\","
                        + "\"lines\":[{\"sku\":\"s1\",\"quantity\":\"two\",\"unitPrice\":100}]}"),
                unknownSchemaId);
    }

    @ParameterizedTest
    @MethodSource("unreadable")
    void shouldDeadLetterAndContinueWhenOrderEventIsUnreadable(byte[] bad) {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");

            // When a bad record, then a good one
            d.pipeOrderEvent("o9", bad);
            d.pipeOrderJson("o1", GOOD);

            // Then the bad one is in the DLQ, as received, naming where it came from and why
            List<TestRecord<String, byte[]>> letters = d.deadLetters();
            assertThat(letters).hasSize(1);
            TestRecord<String, byte[]> letter = letters.get(0);
            assertThat(letter.value()).isEqualTo(bad);
            assertThat(letter.key()).isEqualTo("o9");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.topic")).isEqualTo("order.events");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.partition")).isEqualTo("0");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.offset")).isEqualTo("0");
            assertThat(OrderSagaTopologyTest.header(letter, "orderflow.reason")).isEqualTo("UNREADABLE");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.message")).isNotBlank();
            assertThat(d.metrics().count("dlq_records:order.events")).isEqualTo(1);
            // And the good one is processed
            assertThat(OrderSagaTopologyTest.lastOf(d.statuses()).getStatus()).isEqualTo(OrderStatus.CONFIRMED);
        }
    }

    @Test
    void shouldDeadLetterTruncatedAndContinueWhenIngressRecordExceedsLimit() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");
            String hugeCustomer = "c".repeat(IngressStreams.MAX_RECORD_BYTES * 2);
            byte[] hugeOrder = bytes(GOOD.replace("\"orderId\":\"o1\"", "\"orderId\":\"big\"")
                    .replace("\"c1\"", "\"" + hugeCustomer + "\""));
            byte[] hugeDeposit = bytes("{\"eventId\":\"" + "e".repeat(IngressStreams.MAX_RECORD_BYTES)
                    + "\",\"customerId\":\"c1\",\"amount\":5,\"currency\":\"EUR\"}");

            // When a keyed order and a keyless deposit over the limit arrive, then a good order
            d.pipeOrderEvent("big", hugeOrder);
            d.pipeDeposit(null, hugeDeposit);
            d.pipeOrderJson("o1", GOOD);

            // Then both are dead-lettered before they are read, with their start, size and coordinates
            List<TestRecord<String, byte[]>> letters = d.deadLetters();
            assertThat(letters).extracting(r -> OrderSagaTopologyTest.header(r, DeadLetters.REASON))
                    .containsOnly(Rejection.TOO_LARGE).hasSize(2);
            assertThat(letters).extracting(r -> OrderSagaTopologyTest.header(r, DeadLetters.TOPIC))
                    .containsExactlyInAnyOrder("order.events", "payment.deposits");
            for (TestRecord<String, byte[]> letter : letters) {
                assertThat(letter.value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
                assertThat(OrderSagaTopologyTest.header(letter, DeadLetters.TRUNCATED)).isEqualTo("value");
                assertThat(Integer.parseInt(OrderSagaTopologyTest.header(letter, DeadLetters.ORIGINAL_SIZE)))
                        .isGreaterThan(IngressStreams.MAX_RECORD_BYTES);
                assertThat(OrderSagaTopologyTest.header(letter, DeadLetters.MESSAGE)).contains("exceeds");
            }
            TestRecord<String, byte[]> order = letters.stream()
                    .filter(r -> OrderSagaTopologyTest.header(r, DeadLetters.TOPIC).equals("order.events"))
                    .findFirst().orElseThrow();
            assertThat(order.key()).isEqualTo("big");
            assertThat(Arrays.copyOf(hugeOrder, DeadLetters.MAX_VALUE_BYTES)).isEqualTo(order.value());
            assertThat(d.saga("big")).isNull();
            assertThat(d.account("c1").getBalance()).isEqualTo(1_000L - 100L);
            assertThat(d.metrics().count("dlq_records:order.events:TOO_LARGE")).isEqualTo(1);
            assertThat(d.metrics().count("dlq_records:payment.deposits:TOO_LARGE")).isEqualTo(1);
            // And the good order is processed
            assertThat(OrderSagaTopologyTest.lastOf(d.statuses()).getStatus()).isEqualTo(OrderStatus.CONFIRMED);
        }
    }

    @Test
    void shouldDeadLetterAsUnreadableWhenIngressValueIsNull() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When a tombstone lands on each ingress topic, keyed and keyless
            d.pipeOrderEvent("o1", null);
            d.pipeOrderEvent(null, null);
            d.pipeDeposit("c1", null);
            d.pipeAdjustment("s1", null);

            // Then each is unreadable, not a processing error
            List<TestRecord<String, byte[]>> letters = d.deadLetters();
            assertThat(letters).hasSize(4)
                    .extracting(r -> OrderSagaTopologyTest.header(r, DeadLetters.REASON))
                    .containsOnly(Rejection.UNREADABLE);
            assertThat(letters).extracting(TestRecord::value).containsOnlyNulls();
        }
    }

    @Test
    void shouldNameTheFieldWhenJsonHasWrongType() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When
            d.pipeOrderJson("o1", GOOD.replace("\"quantity\":1", "\"quantity\":1.5"));

            // Then
            String message = OrderSagaTopologyTest.header(d.deadLetters().get(0), "__streams.errors.message");
            assertThat(message).contains("quantity");
        }
    }

    @Test
    void shouldContinueAndCountWhenInternalAvroTopicHasBadBytes() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When garbage lands on payment.replies, which Kafka Streams deserializes itself
            d.pipeRawPaymentReply("o1", new byte[]{1, 2, 3});
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");
            d.pipeOrderJson("o1", GOOD);

            // Then the handler counted it and processing went on. (TopologyTestDriver does not surface the
            // dead-letter records a DeserializationExceptionHandler returns; DeadLetterDeserializationHandlerTest
            // checks those records directly.)
            assertThat(d.metrics().count("dlq_records:payment.replies")).isEqualTo(1);
            assertThat(OrderSagaTopologyTest.lastOf(d.statuses()).getStatus()).isEqualTo(OrderStatus.CONFIRMED);
        }
    }

    @Test
    void shouldDeadLetterWhenKeyDoesNotMatchOrderId() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When
            d.pipeOrderJson("other", GOOD);

            // Then
            TestRecord<String, byte[]> letter = d.deadLetters().get(0);
            assertThat(OrderSagaTopologyTest.header(letter, "orderflow.reason")).isEqualTo("INVALID");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.message")).contains("does not match");
            assertThat(d.statuses()).isEmpty();
        }
    }

    @Test
    void shouldKeyByOrderIdWhenRecordHasNoKey() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");

            // When a record arrives without a key
            d.pipeOrderJson(null, GOOD);

            // Then it is processed under its orderId
            List<TestRecord<String, OrderStatusChanged>> statuses = d.statusRecords();
            assertThat(statuses).extracting(TestRecord::key).containsOnly("o1");
            assertThat(statuses.get(statuses.size() - 1).value().getStatus()).isEqualTo(OrderStatus.CONFIRMED);
        }
    }

    @Test
    void shouldNameOriginalCoordinatesWhenKeylessRecordIsUnreadable() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When
            d.pipeOrderJson("o1", GOOD);
            d.pipeOrderJson(null, "not json");

            // Then
            TestRecord<String, byte[]> letter = d.deadLetters().get(0);
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.topic")).isEqualTo("order.events");
            assertThat(OrderSagaTopologyTest.header(letter, "__streams.errors.offset")).isEqualTo("1");
            assertThat(letter.headers().lastHeader("orderflow.source.topic")).isNull();
        }
    }

    @Test
    void shouldUseDebeziumIdHeaderAsEventIdWhenValueHasNone() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given an outbox event without eventId in its payload but with Debezium's id header
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");
            String noEventId = GOOD.replace("\"eventId\":\"e1\",", "");
            RecordHeaders headers = new RecordHeaders();
            headers.add("id", "5f0c1a54-7b1d-4a59-8f2e-4a3c1b2d9e01".getBytes(StandardCharsets.UTF_8));

            // When it is delivered twice (a Connect redelivery), then a cancel for the same order comes
            d.pipeOrderEvent("o1", bytes(noEventId), headers);
            d.pipeOrderEvent("o1", bytes(noEventId), headers);

            // Then the second is recognised as a duplicate by the header id
            assertThat(d.statuses()).hasSize(3);
            assertThat(d.metrics().count("outbox_lag")).isZero(); // no eventType header: not outbox CDC
            assertThat(d.metrics().count("idempotency_duplicates:order.events")).isEqualTo(1);
        }
    }

    @Test
    void shouldDeadLetterDepositsAndAdjustmentsThatBreakRules() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When
            d.deposit("d1", "c1", -5, "EUR");
            d.deposit("d2", "c1", 100, "EUR");
            d.deposit("d3", "c1", 100, "USD");
            d.adjust("a1", "s1", -1, null);
            d.pipeAdjustment("s1", bytes("{\"sku\":\"s1\",\"delta\":1}"));

            // Then
            assertThat(d.deadLetters()).extracting(r -> OrderSagaTopologyTest.header(r, "orderflow.reason"))
                    .containsExactly("INVALID", "CURRENCY_MISMATCH", "BELOW_RESERVED", "UNREADABLE");
            assertThat(d.account("c1").getBalance()).isEqualTo(100L);
            assertThat(d.stock("s1")).isNull();
        }
    }

    @Test
    void shouldReadAvroWireFormatOnIngress() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a deposit written with the Avro serde, as kafka-avro-console-producer would
            var deposit = new io.orderflow.contracts.FundsDeposited("d1", "c1", 500L, "EUR");
            byte[] avro = new AvroSerde<>(io.orderflow.contracts.FundsDeposited.class, d.registry()).serializer()
                    .serialize(Topics.PAYMENT_DEPOSITS.name(), deposit);

            // When
            d.pipeDeposit("c1", avro);

            // Then
            assertThat(d.account("c1").getBalance()).isEqualTo(500L);
            assertThat(new IngressReader(d.registry()).fundsDeposited(avro)).isEqualTo(deposit);
        }
    }

    @Test
    void shouldDeadLetterCancelWhenOrderIsUnknown() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            d.cancel("e1", "ghost");
            assertThat(OrderSagaTopologyTest.header(d.deadLetters().get(0), "orderflow.reason"))
                    .isEqualTo("UNKNOWN_ORDER");
        }
    }

    @Test
    void shouldRejectOrderWithFiftyOneLinesAsInvalid() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            var lines = java.util.stream.IntStream.range(0, 51).mapToObj(i -> line("s" + i, 1, 1))
                    .toArray(io.orderflow.contracts.OrderLine[]::new);
            d.place("e1", "o1", "c1", "EUR", lines);
            assertThat(OrderSagaTopologyTest.lastOf(d.statuses()).getReason())
                    .isEqualTo(io.orderflow.contracts.CancelReason.INVALID_ORDER);
            assertThat(d.inventoryCommands()).isEmpty();
        }
    }
}
