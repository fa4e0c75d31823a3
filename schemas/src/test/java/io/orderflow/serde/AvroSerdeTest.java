package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    private static final String TOPIC = "payment.deposits";

    private final LocalSchemaRegistry registry = new LocalSchemaRegistry();

    static List<SpecificRecord> everyContract() {
        return Samples.everyContract();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyContract")
    void shouldReadBackEqualRecordWhenRoundTrippingEveryContract(SpecificRecord record) {
        // Given
        AvroSerde<SpecificRecord> serde = serdeFor(record);

        // When
        byte[] bytes = serde.serializer().serialize("some.topic", record);
        SpecificRecord read = serde.deserializer().deserialize("some.topic", bytes);

        // Then
        assertThat(read).isEqualTo(record);
    }

    @Test
    void shouldStartWithMagicByteAndRegistryIdWhenSerialized() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);

        // When
        byte[] bytes = serde.serializer().serialize(TOPIC, Samples.fundsDeposited());

        // Then
        int expectedId = registry.register(TOPIC + "-value", FundsDeposited.getClassSchema());
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(expectedId);
        assertThat(WireFormat.isWireFormat(bytes)).isTrue();
        assertThat(WireFormat.schemaId(bytes)).isEqualTo(expectedId);
    }

    @Test
    void shouldPassNullThroughWhenValueIsNull() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);

        // When / Then
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldRegisterUnderTopicValueSubjectOnceWhenSerializingManyRecords() {
        // Given
        List<String> subjects = new ArrayList<>();
        SchemaRegistry recording = new SchemaRegistry() {
            @Override
            public int register(String subject, Schema schema) {
                subjects.add(subject);
                return 42;
            }

            @Override
            public Schema schemaById(int id) {
                throw new AssertionError("not expected");
            }
        };
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, recording);

        // When
        for (int i = 0; i < 3; i++) {
            serde.serializer().serialize(TOPIC, Samples.fundsDeposited());
            serde.serializer().serialize("other.topic", Samples.fundsDeposited());
        }

        // Then
        assertThat(subjects).containsExactly("payment.deposits-value", "other.topic-value");
    }

    @Test
    void shouldFillDefaultsWhenDataWasWrittenWithOlderSchemaWithFewerFields() throws IOException {
        // Given an older FundsDeposited without eventId, registered as a writer would
        Schema older = new Schema.Parser().parse("""
                {"type":"record","name":"FundsDeposited","namespace":"io.orderflow.contracts","fields":[
                  {"name":"customerId","type":"string"},
                  {"name":"amount","type":"long"},
                  {"name":"currency","type":"string"}]}""");
        GenericRecord old = new GenericData.Record(older);
        old.put("customerId", "c1");
        old.put("amount", 500L);
        old.put("currency", "EUR");
        byte[] bytes = wireBytes(registry.register(TOPIC + "-value", older), older, old);

        // When
        FundsDeposited read = new AvroSerde<>(FundsDeposited.class, registry).deserializer().deserialize(TOPIC, bytes);

        // Then
        assertThat(read).isEqualTo(new FundsDeposited(null, "c1", 500L, "EUR"));
    }

    @Test
    void shouldFillNullableDefaultsWhenStatusChangeWasWrittenWithoutPreviousStatusAndReason() throws IOException {
        // Given an older OrderStatusChanged without previousStatus and reason
        Schema current = OrderStatusChanged.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            if (!field.name().equals("previousStatus") && !field.name().equals("reason")) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        Schema older = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
        OrderStatusChanged expected = (OrderStatusChanged) Samples.everyContract().stream()
                .filter(OrderStatusChanged.class::isInstance).findFirst().orElseThrow();
        expected.setPreviousStatus(null);
        expected.setReason(null);
        GenericRecord old = new GenericData.Record(older);
        for (Schema.Field field : fields) {
            old.put(field.name(), expected.get(field.name()));
        }
        old.put("status", new GenericData.EnumSymbol(current.getField("status").schema(), OrderStatus.CANCELLED.name()));
        byte[] bytes = wireBytes(registry.register("order.status-value", older), older, old);

        // When
        OrderStatusChanged read = new AvroSerde<>(OrderStatusChanged.class, registry).deserializer()
                .deserialize("order.status", bytes);

        // Then
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void shouldFailNamingBothSchemasWhenWriterSchemaCannotBeRead() {
        // Given a StockAdjusted record on a topic read as FundsDeposited
        byte[] bytes = new AvroSerde<>(StockAdjusted.class, registry).serializer()
                .serialize(TOPIC, Samples.stockAdjusted());
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);

        // When / Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'payment.deposits'")
                .hasMessageContaining("io.orderflow.contracts.StockAdjusted")
                .hasMessageContaining("io.orderflow.contracts.FundsDeposited cannot read");
    }

    @Test
    void shouldFailWhenBytesAreTruncatedAtAnyPoint() {
        // Given
        AvroSerde<OrderEvent> serde = new AvroSerde<>(OrderEvent.class, registry);
        byte[] bytes = serde.serializer().serialize("order.events", Samples.orderPlaced());

        // When / Then: every cut inside the Avro body is noticed, none reads as a shorter record
        for (int length = WireFormat.HEADER_SIZE; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serde.deserializer().deserialize("order.events", truncated))
                    .as("truncated to %d of %d bytes", length, bytes.length)
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("topic 'order.events'")
                    .hasMessageContaining("truncated or corrupt");
        }
    }

    @Test
    void shouldFailWhenBytesFollowTheRecord() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);
        byte[] bytes = serde.serializer().serialize(TOPIC, Samples.fundsDeposited());
        byte[] withGarbage = Arrays.copyOf(bytes, bytes.length + 3);

        // When / Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, withGarbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'payment.deposits'")
                .hasMessageContaining("unread bytes after the Avro data");
    }

    @Test
    void shouldFailNamingTopicAndFirstByteWhenMagicByteIsWrong() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);
        byte[] json = "{\"customerId\":\"c1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        // When / Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'payment.deposits'")
                .hasMessageContaining("not in the Schema Registry wire format")
                .hasMessageContaining("first byte is 0x7b ('{')");
    }

    @Test
    void shouldFailWhenRecordIsShorterThanTheHeader() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);

        // When / Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("topic 'payment.deposits'")
                .hasMessageContaining("only 3 byte(s)");
    }

    @Test
    void shouldFailWithRegistryErrorWhenSchemaIdIsUnknown() {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);
        byte[] bytes = serde.serializer().serialize(TOPIC, Samples.fundsDeposited());
        int unknownId = WireFormat.schemaId(bytes) ^ 0x1234;
        ByteBuffer.wrap(bytes, 1, 4).putInt(unknownId);

        // When / Then
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("unknown schema id " + unknownId);
    }

    @Test
    void shouldReadBackEveryRecordWhenSharedByConcurrentThreads() throws Exception {
        // Given
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, registry);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            // When
            List<Future<List<FundsDeposited>>> results = IntStream.range(0, 4)
                    .mapToObj(t -> threads.submit(() -> IntStream.range(0, 2_000).mapToObj(i -> {
                        FundsDeposited deposit = new FundsDeposited("d" + t + "-" + i, "c" + t, (long) i, "EUR");
                        byte[] bytes = serde.serializer().serialize(TOPIC, deposit);
                        return serde.deserializer().deserialize(TOPIC, bytes);
                    }).toList()))
                    .toList();

            // Then
            for (int t = 0; t < results.size(); t++) {
                List<FundsDeposited> read = results.get(t).get(30, TimeUnit.SECONDS);
                assertThat(read).hasSize(2_000);
                assertThat(read.get(1_999)).isEqualTo(new FundsDeposited("d" + t + "-1999", "c" + t, 1_999L, "EUR"));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    private AvroSerde<SpecificRecord> serdeFor(SpecificRecord record) {
        return new AvroSerde<>((Class<SpecificRecord>) record.getClass(), registry);
    }

    private static byte[] wireBytes(int id, Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
