package io.orderflow.topology.ingress;

import io.orderflow.domain.Rejection;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;
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
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads an ingress topic as raw bytes and makes sure each record reaches the task that owns its key. A record larger
 * than {@link #MAX_RECORD_BYTES} is dead-lettered at once ({@code TOO_LARGE}). Kafka Streams assumes a record sits on
 * the partition Kafka's default partitioner gives its key (murmur2 of the serialized key modulo the partition
 * count); producers in other languages do not follow it (librdkafka's default is CRC32, some producers name the
 * partition themselves). So a record without a key (keyed by the id in its value) and a keyed record on another
 * partition than its key's are sent through a repartition topic, keeping where they came from in headers, and land
 * on the same task as every other record of that id; correctly placed records pass straight through. Parsing and
 * dead-lettering of everything else happen downstream, in the processor that owns the state.
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

    /** Why a record went through the repartition topic ({@code ingress_repartitioned_total{cause}}). */
    public static final String CAUSE_KEYLESS = "keyless";
    /** See {@link #CAUSE_KEYLESS}: a keyed record on another partition than the one its key hashes to. */
    public static final String CAUSE_PARTITION = "partition";

    /**
     * @param partitions the partition count of {@code topic} (and of every topic co-partitioned with it), which
     *                   the instance's topic set-up guarantees
     * @param idOf       the id in a record's value (orderId, sku, customerId), or null when the value is unreadable
     * @param metrics    counts the records dead-lettered and the records rerouted here
     */
    public static KStream<String, byte[]> keyed(StreamsBuilder builder, Topic<byte[]> topic, String prefix,
                                                int partitions, Function<byte[], String> idOf,
                                                OrderflowMetrics metrics) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        KStream<String, byte[]> raw = builder.stream(topic.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(topic.name() + "-source"));
        Map<String, KStream<String, Object>> routes = raw
                .processValues(() -> new Gate(partitions, metrics), Named.as(prefix + "-gate"))
                .split(Named.as(prefix + "-"))
                .branch((key, value) -> value instanceof DeadLetters.DeadLetter, Branched.as("too-large"))
                .branch((key, value) -> value instanceof Reroute, Branched.as("reroute"))
                .defaultBranch(Branched.as("in-place"));
        routes.get(prefix + "-too-large")
                .map((key, letter) -> KeyValue.pair(boundedKey(key), ((DeadLetters.DeadLetter) letter).value()),
                        Named.as(prefix + "-too-large-letter"))
                .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName(prefix + "-to-" + Topics.DEAD_LETTERS.name()));
        KStream<String, byte[]> rekeyed = routes.get(prefix + "-reroute")
                .process(() -> new Rekey(idOf), Named.as(prefix + "-rekey"))
                .repartition(Repartitioned.<String, byte[]>as(prefix + "-rekeyed")
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.ByteArray()));
        return routes.get(prefix + "-in-place")
                .mapValues(value -> (byte[]) value, Named.as(prefix + "-in-place-value"))
                .merge(rekeyed, Named.as(prefix + "-merge"));
    }

    /**
     * The partition Kafka's default partitioner, and Kafka Streams for every topic it writes, gives a String key:
     * murmur2 of its UTF-8 bytes, made positive, modulo the partition count.
     */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
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

    /** A record to send through the repartition topic. */
    private record Reroute(byte[] value) {
    }

    /**
     * Turns records over {@link #MAX_RECORD_BYTES} into bounded dead letters, wraps records without a key or on
     * the wrong partition in a {@link Reroute}, and passes the rest as they are.
     */
    private static final class Gate implements FixedKeyProcessor<String, byte[], Object> {
        private final int partitions;
        private final OrderflowMetrics metrics;
        private FixedKeyProcessorContext<String, Object> context;

        Gate(int partitions, OrderflowMetrics metrics) {
            this.partitions = partitions;
            this.metrics = metrics;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, byte[]> record) {
            int size = recordSize(record.key(), record.value(), record.headers());
            if (size > MAX_RECORD_BYTES) {
                deadLetter(record, size);
                return;
            }
            String cause = rerouteCause(record.key());
            if (cause == null) {
                context.forward(record.withValue(record.value()));
                return;
            }
            metrics.ingressRepartitioned(context.recordMetadata().map(m -> m.topic()).orElse("unknown"), cause);
            context.forward(record.withValue((Object) new Reroute(record.value())));
        }

        private String rerouteCause(String key) {
            if (key == null) {
                return CAUSE_KEYLESS;
            }
            // Called for every ingress record: read the partition without boxing it into an Optional<Integer>.
            Optional<RecordMetadata> metadata = context.recordMetadata();
            return metadata.isPresent() && metadata.get().partition() != partitionOf(key, partitions)
                    ? CAUSE_PARTITION : null;
        }

        private void deadLetter(FixedKeyRecord<String, byte[]> record, int size) {
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

    /**
     * Keys a keyless record by the id in its value (a keyed record keeps its key) and remembers where the record
     * came from, so its identity without an eventId and any dead letter still name the original record.
     */
    private static final class Rekey implements Processor<String, Object, String, byte[]> {
        private final Function<byte[], String> idOf;
        private ProcessorContext<String, byte[]> context;

        Rekey(Function<byte[], String> idOf) {
            this.idOf = idOf;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, Object> record) {
            byte[] value = ((Reroute) record.value()).value();
            String key = record.key() != null ? record.key() : idOf(value);
            Record<String, byte[]> keyed = record.withKey(key).withValue(value);
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

        private String idOf(byte[] value) {
            String id;
            try {
                id = idOf.apply(value);
            } catch (RuntimeException unreadable) {
                id = null; // dead-lettered with the reason by the owning processor, which parses again
            }
            return id == null ? UNREADABLE_KEY : id;
        }
    }
}
