package io.orderflow.topology;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Kafka Streams' default handling of a record the producer could not send — fail the task, with a dead letter of
 * the source record — plus one guard: when the record that failed is itself a dead letter, fail without another.
 *
 * <p>Why: in Kafka Streams 4.3 the default handler's dead letter goes out through the same producer path, and a
 * send that fails synchronously (a {@code RecordTooLargeException} is raised inside {@code send}) calls the
 * handler again for that dead letter, which builds another, larger one (the stack trace is a header) — until the
 * stream thread dies of a {@code StackOverflowError}. Orderflow keeps its own records far below the broker's
 * limits (see {@code IngressStreams.MAX_RECORD_BYTES}); this guard keeps an unforeseen failure a clear one.
 */
public final class DeadLetterProductionHandler extends DefaultProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

    private String deadLetterTopic = Topics.DEAD_LETTERS.name();

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic != null) {
            deadLetterTopic = topic.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (deadLetterTopic.equals(record.topic())) {
            log.error("A dead letter could not be written to {} ({} bytes of value): {}; failing the task without "
                            + "another dead letter", deadLetterTopic,
                    record.value() == null ? 0 : record.value().length, exception.toString());
            return Response.fail();
        }
        return super.handleError(context, record, exception);
    }
}
