package io.orderflow.topology.ingress;

import io.orderflow.domain.Rejection;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads an ingress topic as raw bytes. A record larger than {@link #MAX_RECORD_BYTES} is dead-lettered at once
 * ({@code TOO_LARGE}). A record without a key is keyed by the id in its value and sent through a repartition
 * topic, so that it lands on the same task as every other record of that id; keyed records pass straight through.
 * Parsing and dead-lettering of everything else happen downstream, in the processor that owns the state.
 */
public final class IngressStreams {
    /** Key given to a keyless record whose value cannot be read; it is dead-lettered downstream. */
    public static final String UNREADABLE_KEY = "unreadable";
    /**
     * The largest ingress record (key, value and headers) that is read at all. The largest valid event — an order
     * of 50 lines with 64-character ids — is under 10 KiB as JSON; a bound far below the broker's default 1 MiB
     * keeps whatever Streams writes on a record's behalf (the repartition copy with its extra headers, the saga
     * state and status of an invalid order, a dead letter) under that limit, so no record can fail a stream thread.
     */
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    /** A dead letter's key keeps at most this many characters; ids are at most 64. */
    public static final int MAX_DEAD_LETTER_KEY_CHARS = 256;

    private static final Logger log = LoggerFactory.getLogger(IngressStreams.class);

    private IngressStreams() {
    }

    /**
     * @param idOf    the id in a record's value (orderId, sku, customerId), or null when the value is unreadable
     * @param metrics counts the records dead-lettered here
     */
    public static KStream<String, byte[]> keyed(StreamsBuilder builder, Topic<byte[]> topic, String prefix,
                                                Function<byte[], String> idOf, OrderflowMetrics metrics) {
        KStream<String, byte[]> raw = builder.stream(topic.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(topic.name() + "-source"));
        Map<String, KStream<String, Object>> bySize = raw
                .processValues(() -> new SizeGate(metrics), Named.as(prefix + "-size-gate"))
                .split(Named.as(prefix + "-size-"))
                .branch((key, value) -> value instanceof DeadLetters.DeadLetter, Branched.as("too-large"))
                .defaultBranch(Branched.as("within-limit"));
        bySize.get(prefix + "-size-too-large")
                .map((key, letter) -> KeyValue.pair(boundedKey(key), ((DeadLetters.DeadLetter) letter).value()),
                        Named.as(prefix + "-too-large-letter"))
                .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName(prefix + "-to-" + Topics.DEAD_LETTERS.name()));
        Map<String, KStream<String, byte[]>> branches = bySize.get(prefix + "-size-within-limit")
                .mapValues(value -> (byte[]) value, Named.as(prefix + "-within-limit"))
                .split(Named.as(prefix + "-"))
                .branch((key, value) -> key == null, Branched.as("keyless"))
                .defaultBranch(Branched.as("keyed"));
        KStream<String, byte[]> rekeyed = branches.get(prefix + "-keyless")
                .process(() -> new KeyFromValue(idOf), Named.as(prefix + "-key-from-value"))
                .repartition(Repartitioned.<String, byte[]>as(prefix + "-rekeyed")
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray()));
        return branches.get(prefix + "-keyed").merge(rekeyed, Named.as(prefix + "-merge"));
    }

    /** A record's size as the broker counts it, less the batch and varint overhead: key, value and headers. */
    public static int recordSize(String key, byte[] value, Headers headers) {
        long size = key == null ? 0 : key.getBytes(StandardCharsets.UTF_8).length;
        size += value == null ? 0 : value.length;
        if (headers != null) {
            for (Header header : headers) {
                size += header.key().getBytes(StandardCharsets.UTF_8).length
                        + (header.value() == null ? 0 : header.value().length);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static String boundedKey(String key) {
        return key == null || key.length() <= MAX_DEAD_LETTER_KEY_CHARS ? key
                : key.substring(0, MAX_DEAD_LETTER_KEY_CHARS);
    }

    /** Passes records within {@link #MAX_RECORD_BYTES}; turns larger ones into bounded dead letters. */
    private static final class SizeGate implements FixedKeyProcessor<String, byte[], Object> {
        private final OrderflowMetrics metrics;
        private FixedKeyProcessorContext<String, Object> context;

        SizeGate(OrderflowMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            int size = recordSize(record.key(), record.value(), record.headers());
            if (size <= MAX_RECORD_BYTES) {
                context.forward(record.withValue(record.value()));
                return;
            }
            DeadLetters.Source source = context.recordMetadata()
                    .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                    .orElse(new DeadLetters.Source("unknown", -1, -1));
            String message = "record of " + size + " bytes (key, value and headers) exceeds the ingress limit of "
                    + MAX_RECORD_BYTES + " bytes";
            log.warn("Ingress record {} sent to {}: {} {}", source.identity(), Topics.DEAD_LETTERS,
                    Rejection.TOO_LARGE, message);
            DeadLetters.Bounded letter = DeadLetters.bound(record.headers(), record.value(), source,
                    Rejection.TOO_LARGE, Rejection.TOO_LARGE, message);
            if (record.key() != null && record.key().length() > MAX_DEAD_LETTER_KEY_CHARS) {
                DeadLetters.markTruncated(letter.headers(), "key");
            }
            metrics.deadLettered(source.topic(), Rejection.TOO_LARGE);
            context.forward(record.withValue((Object) new DeadLetters.DeadLetter(letter.value()))
                    .withHeaders(letter.headers()));
        }
    }

    /** Keys a keyless record by the id in its value and remembers where the record came from. */
    private static final class KeyFromValue implements Processor<String, byte[], String, byte[]> {
        private final Function<byte[], String> idOf;
        private ProcessorContext<String, byte[]> context;

        KeyFromValue(Function<byte[], String> idOf) {
            this.idOf = idOf;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            String id;
            try {
                id = idOf.apply(record.value());
            } catch (RuntimeException unreadable) {
                id = null; // dead-lettered with the reason by the owning processor, which parses again
            }
            Record<String, byte[]> keyed = record.withKey(id == null ? UNREADABLE_KEY : id);
            context.recordMetadata().ifPresent(m -> {
                keyed.headers().remove(DeadLetters.SOURCE_TOPIC);
                keyed.headers().remove(DeadLetters.SOURCE_PARTITION);
                keyed.headers().remove(DeadLetters.SOURCE_OFFSET);
                keyed.headers().add(DeadLetters.SOURCE_TOPIC, m.topic().getBytes(StandardCharsets.UTF_8));
                keyed.headers().add(DeadLetters.SOURCE_PARTITION,
                        Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
                keyed.headers().add(DeadLetters.SOURCE_OFFSET,
                        Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
            });
            context.forward(keyed);
        }
    }
}
