package io.orderflow.topology;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterProductionHandlerTest {
    private static final Map<String, Object> CONFIG = Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
            Topics.DEAD_LETTERS.name());

    @Test
    void shouldFailWithoutAnotherDeadLetterWhenTheFailedRecordIsADeadLetter() {
        // Given
        DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
        handler.configure(CONFIG);
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(Topics.DEAD_LETTERS.name(), new byte[2_000_000]);

        // When the dead letter itself is too large to send
        ProductionExceptionHandler.Response response = handler.handleError(context(), letter,
                new RecordTooLargeException("too large"));

        // Then the task fails, and no new dead letter starts the recursion again
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldFailWithDeadLetterOfTheSourceWhenAnOrdinaryRecordFails() {
        // Given
        DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
        handler.configure(CONFIG);
        ProducerRecord<byte[], byte[]> status = new ProducerRecord<>(Topics.ORDER_STATUS.name(), new byte[10]);

        // When
        ProductionExceptionHandler.Response response = handler.handleError(context(), status,
                new RecordTooLargeException("too large"));

        // Then Kafka Streams' default applies
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(r -> assertThat(r.topic()).isEqualTo(Topics.DEAD_LETTERS.name()));
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "order.events";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 7;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "saga";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return new byte[]{'o'};
            }

            @Override
            public byte[] sourceRawValue() {
                return new byte[]{'{'};
            }
        };
    }
}
