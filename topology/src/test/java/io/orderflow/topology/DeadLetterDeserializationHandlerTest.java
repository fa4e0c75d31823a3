package io.orderflow.topology;

import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import io.orderflow.serde.SchemaRegistryException;
import io.orderflow.serde.UnknownSchemaIdException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterDeserializationHandlerTest {

    @Test
    void shouldReturnDeadLetterWithCoordinatesAndReasonWhenRecordIsUnreadable() {
        // Given
        CountingMetrics metrics = new CountingMetrics();
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of(DeadLetterDeserializationHandler.METRICS_CONFIG, metrics));
        byte[] key = "o1".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("payment.replies", 4, 17L, 1000L,
                TimestampType.CREATE_TIME, 2, 3, key, value, new RecordHeaders(), Optional.empty());

        // When (the context is not read by this handler, so none is built)
        DeserializationExceptionHandler.Response response = handler.handleError(null, record,
                new SerializationException("bad magic byte"));

        // Then
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> letter = response.deadLetterQueueRecords().get(0);
        assertThat(letter.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
        assertThat(letter.key()).isEqualTo(key);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(header(letter, "__streams.errors.topic")).isEqualTo("payment.replies");
        assertThat(header(letter, "__streams.errors.partition")).isEqualTo("4");
        assertThat(header(letter, "__streams.errors.offset")).isEqualTo("17");
        assertThat(header(letter, "__streams.errors.message")).isEqualTo("bad magic byte");
        assertThat(header(letter, "orderflow.reason")).isEqualTo("UNREADABLE");
        assertThat(metrics.count("dlq_records:payment.replies")).isEqualTo(1);
    }

    @Test
    void shouldKeepBoundedDeadLetterWhenRecordIsNearlyOneMebibyte() {
        // Given an unreadable record of nearly 1 MiB with 20 KiB of headers: copied whole, the dead letter and its
        // headers would exceed the broker's default record limit and fail the stream thread on every retry
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of());
        byte[] value = new byte[1024 * 1024 - 1024];
        RecordHeaders headers = new RecordHeaders();
        headers.add("small", new byte[]{1});
        headers.add("large", new byte[20 * 1024]);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("inventory.replies", 0, 3L, 1000L,
                TimestampType.CREATE_TIME, 2, value.length, "o1".getBytes(StandardCharsets.UTF_8), value, headers,
                Optional.empty());

        // When
        ProducerRecord<byte[], byte[]> letter = handler.handleError(null, record,
                new SerializationException("x".repeat(10_000))).deadLetterQueueRecords().get(0);

        // Then the value keeps its first 64 KiB, the headers say what was cut, and the message is abbreviated
        assertThat(letter.value()).hasSize(DeadLetters.MAX_VALUE_BYTES);
        assertThat(header(letter, DeadLetters.TRUNCATED)).isEqualTo("value,headers");
        assertThat(header(letter, DeadLetters.ORIGINAL_SIZE)).isEqualTo(Integer.toString(value.length));
        assertThat(letter.headers().lastHeader("small")).isNotNull();
        assertThat(letter.headers().lastHeader("large")).isNull();
        assertThat(header(letter, "__streams.errors.message")).hasSize(DeadLetters.MAX_MESSAGE_CHARS);
        assertThat(header(letter, "__streams.errors.offset")).isEqualTo("3");
    }

    @Test
    void shouldFailTheThreadWithoutDeadLetterWhenTheSchemaRegistryFails() {
        // Given a readable record whose schema the registry could not return (unreachable, erroring, or not yet
        // knowing the id): the fault is not the record's, so skipping it would lose it for good
        CountingMetrics metrics = new CountingMetrics();
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of(DeadLetterDeserializationHandler.METRICS_CONFIG, metrics));
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("payment.commands", 1, 9L, 1000L,
                TimestampType.CREATE_TIME, 2, 3, "c1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 7},
                new RecordHeaders(), Optional.empty());

        for (Exception registryFault : List.of(
                new SchemaRegistryException("http://registry:8081: GET /schemas/ids/7 timed out after 3 attempts"),
                new UnknownSchemaIdException("schema id 7 is not known to http://registry:8081"),
                new SerializationException("cannot read", new SchemaRegistryException("503 from the registry")))) {
            // When
            DeserializationExceptionHandler.Response response = handler.handleError(null, record, registryFault);

            // Then the thread fails (the record is read again after the restart) and nothing is dead-lettered
            assertThat(response.result()).as(registryFault.toString())
                    .isEqualTo(DeserializationExceptionHandler.Result.FAIL);
            assertThat(response.deadLetterQueueRecords()).isEmpty();
        }
        assertThat(metrics.count("dlq_records:payment.commands")).isZero();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
