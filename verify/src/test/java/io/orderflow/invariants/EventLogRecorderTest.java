package io.orderflow.invariants;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.Stock;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorder decodes raw records the way the topology does and files them into the right part of the log. */
class EventLogRecorderTest {
    private final LocalSchemaRegistry registry = LocalSchemaRegistry.instance();

    @Test
    void shouldFileEachTopicWhenRecordsAreRaw() {
        // Given
        EventLog log = new EventLog();
        EventLogRecorder recorder = new EventLogRecorder(log, registry);
        OrderStatusChanged placed = new OrderStatusChanged("o1:v1", "o1", "c1", OrderStatus.PLACED, null, null, 1,
                0L, "EUR", List.of(), 1L, 1L, null);
        RecordHeaders dlq = new RecordHeaders();
        dlq.add(DeadLetters.TOPIC, bytes(Topics.ORDER_EVENTS.name()));
        dlq.add(DeadLetters.PARTITION, bytes("0"));
        dlq.add(DeadLetters.OFFSET, bytes("1"));
        dlq.add(DeadLetters.REASON, bytes("UNREADABLE"));
        RecordHeaders debezium = new RecordHeaders();
        debezium.add("id", bytes("outbox-7"));

        // When
        recorder.record(Topics.ORDER_EVENTS.name(), 0, 0, "o1", bytes("{\"type\":\"OrderCancelRequested\","
                + "\"orderId\":\"o1\"}"), debezium);
        recorder.record(Topics.ORDER_EVENTS.name(), 0, 1, null, bytes("{not json"), new RecordHeaders());
        recorder.record(Topics.PAYMENT_DEPOSITS.name(), 0, 0, "c1", bytes("{\"eventId\":\"d1\",\"customerId\":\"c1\","
                + "\"amount\":100,\"currency\":\"EUR\"}"), null);
        recorder.record(Topics.ORDER_STATUS.name(), 2, 5, "o1",
                new AvroSerde<>(OrderStatusChanged.class, registry).serializer().serialize("order.status", placed),
                null);
        recorder.record(Topics.ORDER_STATUS.name(), 2, 6, "o2", bytes("garbage"), null);
        recorder.record(Topics.DEAD_LETTERS.name(), 0, 0, null, bytes("{not json"), dlq);
        boolean commands = recorder.record(Topics.PAYMENT_COMMANDS.name(), 0, 0, "c1", new byte[1], null);
        Stock stock = new Stock("s1", 3L, new HashMap<>(), 1L, 0L);
        recorder.recordStore(StoreNames.INVENTORY_STOCK, "s1",
                new AvroSerde<>(Stock.class, registry).serializer().serialize("x", stock));
        recorder.recordStore(StoreNames.INVENTORY_STOCK, "s2",
                new AvroSerde<>(Stock.class, registry).serializer().serialize("x", stock));
        recorder.recordStore(StoreNames.INVENTORY_STOCK, "s2", null);

        // Then
        assertThat(log.orderEvents()).hasSize(2);
        assertThat(log.orderEvents().get(0).eventId()).isEqualTo("outbox-7");
        assertThat(log.orderEvents().get(1).readable()).isFalse();
        assertThat(log.orderEvents().get(1).problem()).contains("malformed JSON");
        assertThat(log.deposits()).singleElement().satisfies(d -> assertThat(d.value().getAmount()).isEqualTo(100L));
        assertThat(log.statuses()).singleElement().satisfies(s -> {
            assertThat(s.value()).isEqualTo(placed);
            assertThat(s.at()).hasToString("order.status-2@5");
        });
        assertThat(log.unreadableOutputs()).singleElement()
                .satisfies(u -> assertThat(u.at()).hasToString("order.status-2@6"));
        assertThat(log.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.source()).isEqualTo(Coordinates.of(Topics.ORDER_EVENTS.name(), 0, 1));
            assertThat(d.reason()).isEqualTo("UNREADABLE");
        });
        assertThat(commands).isFalse();
        assertThat(log.stock()).containsOnlyKeys("s1");
        assertThat(log.stock().get("s1")).isEqualTo(stock);
    }

    @Test
    void shouldDemandDeadLetterWhenIngressRecordIsOverTheLimitEvenIfReadable() {
        // Given a well-formed deposit padded past the ingress limit, which the topology refuses unread
        byte[] padded = bytes("{\"eventId\":\"d1\",\"customerId\":\"c1\",\"amount\":100,\"currency\":\"EUR\""
                + " ".repeat(IngressStreams.MAX_RECORD_BYTES) + "}");
        EventLog undetected = new EventLog();
        EventLog deadLettered = new EventLog();
        RecordHeaders truncatedLetter = new RecordHeaders();
        truncatedLetter.add(DeadLetters.TOPIC, bytes(Topics.PAYMENT_DEPOSITS.name()));
        truncatedLetter.add(DeadLetters.PARTITION, bytes("0"));
        truncatedLetter.add(DeadLetters.OFFSET, bytes("0"));
        truncatedLetter.add(DeadLetters.REASON, bytes("TOO_LARGE"));
        truncatedLetter.add(DeadLetters.TRUNCATED, bytes("value"));
        truncatedLetter.add(DeadLetters.ORIGINAL_SIZE, bytes(Integer.toString(padded.length)));

        // When one log has it without a dead letter, the other with a dead letter holding only its start
        new EventLogRecorder(undetected, registry).record(Topics.PAYMENT_DEPOSITS.name(), 0, 0, "c1", padded, null);
        EventLogRecorder recorder = new EventLogRecorder(deadLettered, registry);
        recorder.record(Topics.PAYMENT_DEPOSITS.name(), 0, 0, "c1", padded, null);
        recorder.record(Topics.DEAD_LETTERS.name(), 0, 0, "c1", Arrays.copyOf(padded, 100), truncatedLetter);

        // Then it counts as unreadable: a violation without its dead letter, never applied with one
        assertThat(undetected.deposits()).singleElement().satisfies(d -> assertThat(d.problem()).contains("exceeds"));
        assertThat(InvariantChecker.check(undetected).result(Invariant.DEAD_LETTERED).ok()).isFalse();
        InvariantReport report = InvariantChecker.check(deadLettered);
        assertThat(report.result(Invariant.DEAD_LETTERED).ok()).isTrue();
        assertThat(report.result(Invariant.UNREADABLE_OUTPUT).ok()).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldFailInsteadOfCountingUnreadableWhenTheRegistryIsUnreachable() {
        // Given a registry that fails like an unreachable HTTP registry does (a stand-in: no server runs here)
        io.orderflow.serde.SchemaRegistry unreachable = new io.orderflow.serde.SchemaRegistry() {
            @Override
            public int register(String subject, org.apache.avro.Schema schema) {
                throw new io.orderflow.serde.SchemaRegistryException("cannot reach schema registry at http://x");
            }

            @Override
            public org.apache.avro.Schema schemaById(int id) {
                throw new io.orderflow.serde.SchemaRegistryException("cannot reach schema registry at http://x");
            }
        };
        EventLog log = new EventLog();
        EventLogRecorder recorder = new EventLogRecorder(log, unreachable);
        byte[] wire = {0, 0, 0, 0, 42, 2, 3};

        // When / Then
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> recorder.record(Topics.ORDER_STATUS.name(), 0, 0,
                        "o1", wire, null))
                .isInstanceOf(io.orderflow.serde.SchemaRegistryException.class)
                .hasMessageContaining("cannot reach");
        org.assertj.core.api.Assertions.assertThat(log.unreadableOutputs()).isEmpty();
    }
}
