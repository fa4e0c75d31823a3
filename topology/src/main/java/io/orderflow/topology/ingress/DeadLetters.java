package io.orderflow.topology.ingress;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Dead-letter records. Header names are those of Kafka Streams' own dead-letter queue (KIP-1034), so records
 * refused by Orderflow's processors and records Kafka Streams could not deserialize read the same way; Orderflow
 * adds {@code orderflow.reason}, a stable code such as UNREADABLE or VERSION_CONFLICT.
 *
 * <p>A dead letter is bounded, whatever it carries: the value keeps at most {@link #MAX_VALUE_BYTES} (then
 * {@code orderflow.truncated} says what was cut and {@code orderflow.original.size} the value's full size), the
 * original headers at most {@link #MAX_ORIGINAL_HEADER_BYTES}, the message at most {@link #MAX_MESSAGE_CHARS}.
 * Otherwise a record near the broker's 1 MiB limit would come back larger than it went in, be refused by the
 * broker, and fail the stream thread on every retry. The original stays in its topic, named by the headers.
 */
public final class DeadLetters {
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String REASON = "orderflow.reason";
    /** What of the original was cut to keep the dead letter small: {@code key}, {@code value}, {@code headers}. */
    public static final String TRUNCATED = "orderflow.truncated";
    /** The original value's size in bytes, on a dead letter whose value was truncated. */
    public static final String ORIGINAL_SIZE = "orderflow.original.size";

    /** Enough of a value to see what it was; far below the broker's default 1 MiB record limit. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Original headers are copied in order while they fit; the rest are dropped. */
    public static final int MAX_ORIGINAL_HEADER_BYTES = 16 * 1024;
    public static final int MAX_MESSAGE_CHARS = 1_000;

    /** Set on records re-keyed through a repartition topic, so a dead letter still names the original record. */
    public static final String SOURCE_TOPIC = "orderflow.source.topic";
    public static final String SOURCE_PARTITION = "orderflow.source.partition";
    public static final String SOURCE_OFFSET = "orderflow.source.offset";

    /**
     * Set on a dead letter's record when an operator re-produces it to its source topic: the letter's coordinates
     * ({@code orderflow.dlq:<partition>:<offset>}), who and why. The ingress gates take the first as the record's
     * identity, so the same letter redriven twice is applied once; the original headers are kept, so a redriven
     * record that fails again is dead-lettered with both provenances.
     */
    public static final String REDRIVEN_FROM = "orderflow.redriven.from";
    public static final String REDRIVEN_BY = "orderflow.redriven.by";
    public static final String REDRIVEN_REASON = "orderflow.redriven.reason";

    private DeadLetters() {
    }

    /** The identity a redriven record is de-duplicated by, or null when {@code headers} are not a redrive's. */
    public static String redriveId(Headers headers) {
        String from = header(headers, REDRIVEN_FROM);
        return from == null ? null : "redrive:" + from;
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

    /** A copy of {@code record} carrying the dead-letter headers and {@code value} as received (bounded). */
    public static <K> Record<K, Object> letter(Record<K, ?> record, Source source, byte[] value, String reason,
                                               String message) {
        Bounded letter = bound(record.headers(), value, source, reason, reason, message);
        return new Record<K, Object>(record.key(), new DeadLetter(letter.value()), record.timestamp(),
                letter.headers());
    }

    /** A dead letter's value and headers, within the bounds above. */
    public record Bounded(byte[] value, Headers headers) {
    }

    /**
     * The value (cut to {@link #MAX_VALUE_BYTES}) and headers of a dead letter: the original headers (less
     * Orderflow's re-keying and truncation marks, within {@link #MAX_ORIGINAL_HEADER_BYTES}) plus where the record came from, the
     * exception or rejection, the message, Orderflow's reason code, and what was truncated.
     */
    public static Bounded bound(Headers original, byte[] value, Source source, String reason, String exception,
                                String message) {
        List<String> truncated = new ArrayList<>();
        Headers headers = new RecordHeaders();
        if (original != null) {
            int size = 0;
            for (var header : original) {
                if (header.key().startsWith("orderflow.source.") || header.key().equals(TRUNCATED)
                        || header.key().equals(ORIGINAL_SIZE)) {
                    continue; // Orderflow's own marks describe the record before this one, not this dead letter
                }
                size += header.key().length() + (header.value() == null ? 0 : header.value().length);
                if (size > MAX_ORIGINAL_HEADER_BYTES) {
                    truncated.add("headers");
                    break;
                }
                headers.add(header);
            }
        }
        byte[] kept = value;
        if (value != null && value.length > MAX_VALUE_BYTES) {
            kept = Arrays.copyOf(value, MAX_VALUE_BYTES);
            truncated.add(0, "value");
            put(headers, ORIGINAL_SIZE, Integer.toString(value.length));
        }
        put(headers, TOPIC, source.topic());
        put(headers, PARTITION, Integer.toString(source.partition()));
        put(headers, OFFSET, Long.toString(source.offset()));
        put(headers, EXCEPTION, abbreviate(exception));
        put(headers, MESSAGE, abbreviate(message));
        put(headers, REASON, reason);
        if (!truncated.isEmpty()) {
            put(headers, TRUNCATED, String.join(",", truncated));
        }
        return new Bounded(kept, headers);
    }

    /** Adds {@code part} to the {@link #TRUNCATED} header. */
    public static void markTruncated(Headers headers, String part) {
        String already = header(headers, TRUNCATED);
        put(headers, TRUNCATED, already == null ? part : already + "," + part);
    }

    public static String header(Headers headers, String key) {
        var header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= MAX_MESSAGE_CHARS ? text
                : text.substring(0, MAX_MESSAGE_CHARS - 1) + "\u2026";
    }

    private static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value of a dead-letter record on its way to the sink: the bytes as received. */
    public record DeadLetter(byte[] value) {
    }
}
