package io.orderflow.topology.ingress;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Dead-letter records. Header names are those of Kafka Streams' own dead-letter queue (KIP-1034), so records
 * refused by Orderflow's processors and records Kafka Streams could not deserialize read the same way; Orderflow
 * adds {@code orderflow.reason}, a stable code such as UNREADABLE or VERSION_CONFLICT.
 */
public final class DeadLetters {
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String REASON = "orderflow.reason";

    /** Set on records re-keyed through a repartition topic, so a dead letter still names the original record. */
    public static final String SOURCE_TOPIC = "orderflow.source.topic";
    public static final String SOURCE_PARTITION = "orderflow.source.partition";
    public static final String SOURCE_OFFSET = "orderflow.source.offset";

    private DeadLetters() {
    }

    /** Where a record came from: its original topic-partition-offset. */
    public record Source(String topic, int partition, long offset) {
        /** The record's identity when it carries no eventId. */
        public String identity() {
            return topic + "-" + partition + "-" + offset;
        }
    }

    /** The original coordinates of the record being processed: from the re-keying headers, else its metadata. */
    public static Source sourceOf(ProcessorContext<?, ?> context, Headers headers) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        return sourceOf(headers, metadata.map(m -> new Source(m.topic(), m.partition(), m.offset()))
                .orElse(new Source("unknown", -1, -1)));
    }

    /** The original coordinates from the re-keying headers, else {@code here}. */
    public static Source sourceOf(Headers headers, Source here) {
        String topic = header(headers, SOURCE_TOPIC);
        if (topic == null) {
            return here;
        }
        return new Source(topic, Integer.parseInt(header(headers, SOURCE_PARTITION)),
                Long.parseLong(header(headers, SOURCE_OFFSET)));
    }

    /** A copy of {@code record} carrying the dead-letter headers and {@code value} as received. */
    public static <K> Record<K, Object> letter(Record<K, ?> record, Source source, byte[] value, String reason,
                                               String message) {
        Headers headers = headers(record.headers(), source, reason, reason, message);
        return new Record<K, Object>(record.key(), new DeadLetter(value), record.timestamp(), headers);
    }

    /**
     * The headers of a dead letter: the original ones (less Orderflow's re-keying marks) plus where the record
     * came from, the exception or rejection, the message and Orderflow's reason code.
     */
    public static Headers headers(Headers original, Source source, String reason, String exception,
                                  String message) {
        Headers headers = new RecordHeaders();
        if (original != null) {
            for (var header : original) {
                if (!header.key().startsWith("orderflow.source.")) {
                    headers.add(header);
                }
            }
        }
        put(headers, TOPIC, source.topic());
        put(headers, PARTITION, Integer.toString(source.partition()));
        put(headers, OFFSET, Long.toString(source.offset()));
        put(headers, EXCEPTION, exception);
        put(headers, MESSAGE, message);
        put(headers, REASON, reason);
        return headers;
    }

    public static String header(Headers headers, String key) {
        var header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of a dead-letter record on its way to the sink: the bytes as received. */
    public record DeadLetter(byte[] value) {
    }
}
