package io.orderflow.topology;

import io.orderflow.domain.Rejection;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Sends a record Kafka Streams could not deserialize (Avro topics between the topologies) to the dead-letter
 * topic with the same headers Orderflow's own processors write, counts it, and lets processing continue.
 * Ingress topics never get here: their processors read the raw bytes and dead-letter them themselves.
 *
 * <p>Except when the fault is not the record's: the Schema Registry unreachable, erroring, or not (yet) knowing the
 * record's schema id. Then the stream thread fails and, under exactly-once, the record is read again after the
 * restart, as {@link DeadLetterProcessingHandler} does for processors. Skipping it would lose a command, reply or
 * status change for good: a capture never made, a read model missing a change (a registry slow under load while a
 * rolling upgrade registered new schemas did exactly that).
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    /** Config key under which the application passes its {@link OrderflowMetrics} instance. */
    public static final String METRICS_CONFIG = "orderflow.metrics";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private OrderflowMetrics metrics = OrderflowMetrics.NONE;
    private String deadLetterTopic = Topics.DEAD_LETTERS.name();

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(METRICS_CONFIG) instanceof OrderflowMetrics configured) {
            metrics = configured;
        }
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic != null) {
            deadLetterTopic = topic.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (DeadLetterProcessingHandler.isInfrastructure(exception)) {
            log.error("Reading {}-{}@{} failed on the Schema Registry; failing the thread so the record is read "
                    + "again: {}", record.topic(), record.partition(), record.offset(), exception.toString());
            return Response.fail();
        }
        log.warn("Unreadable record {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                deadLetterTopic, exception.toString());
        DeadLetters.Bounded letter = DeadLetters.bound(record.headers(), record.value(),
                new DeadLetters.Source(record.topic(), record.partition(), record.offset()), Rejection.UNREADABLE,
                exception.getClass().getName(), String.valueOf(exception.getMessage()));
        metrics.deadLettered(record.topic(), Rejection.UNREADABLE);
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), record.key(),
                letter.value(), letter.headers())));
    }
}
