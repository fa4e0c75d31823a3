package io.orderflow.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
