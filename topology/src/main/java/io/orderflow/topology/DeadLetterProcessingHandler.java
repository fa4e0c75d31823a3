package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistryException;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * What happens when a processor throws. A failure of the infrastructure the record depends on — the Schema
 * Registry unreachable or erroring — fails the stream thread: under exactly-once the record is reprocessed
 * after the restart, so nothing is lost and nothing is dead-lettered for a fault that is not the record's.
 * Anything else is a record the code cannot handle: it goes to the dead-letter topic whole (reason
 * {@code PROCESSING_ERROR}) and processing continues, so one poisonous record never stops a partition.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    public static final String PROCESSING_ERROR = "PROCESSING_ERROR";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private OrderflowMetrics metrics = OrderflowMetrics.NONE;
    private String deadLetterTopic = Topics.DEAD_LETTERS.name();

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(DeadLetterDeserializationHandler.METRICS_CONFIG) instanceof OrderflowMetrics configured) {
            metrics = configured;
        }
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic != null) {
            deadLetterTopic = topic.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (isInfrastructure(exception)) {
            log.error("Processing {}-{}@{} failed on infrastructure; failing the thread so the record is retried",
                    context.topic(), context.partition(), context.offset(), exception);
            return Response.fail();
        }
        log.error("Processing {}-{}@{} in {} failed; record sent to {}", context.topic(), context.partition(),
                context.offset(), context.processorNodeId(), deadLetterTopic, exception);
        // A re-keyed ingress record is named by its original coordinates, not the repartition topic's.
        DeadLetters.Source source = DeadLetters.sourceOf(context.headers(),
                new DeadLetters.Source(context.topic(), context.partition(), context.offset()));
        metrics.deadLettered(source.topic(), PROCESSING_ERROR);
        DeadLetters.Bounded letter = DeadLetters.bound(context.headers(), context.sourceRawValue(), source,
                PROCESSING_ERROR, exception.getClass().getName(), String.valueOf(exception.getMessage()));
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, context.timestamp(),
                context.sourceRawKey(), letter.value(), letter.headers())));
    }

    static boolean isInfrastructure(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException) {
                return true;
            }
        }
        return false;
    }
}
