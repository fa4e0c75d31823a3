package io.orderflow.topology.ingress;

import io.orderflow.topology.Topic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads an ingress topic as raw bytes. A record without a key is keyed by the id in its value and sent through a
 * repartition topic, so that it lands on the same task as every other record of that id; keyed records pass
 * straight through. Parsing and dead-lettering happen downstream, in the processor that owns the state.
 */
public final class IngressStreams {
    /** Key given to a keyless record whose value cannot be read; it is dead-lettered downstream. */
    public static final String UNREADABLE_KEY = "unreadable";

    private IngressStreams() {
    }

    /**
     * @param idOf the id in a record's value (orderId, sku, customerId), or null when the value is unreadable
     */
    public static KStream<String, byte[]> keyed(StreamsBuilder builder, Topic<byte[]> topic, String prefix,
                                                Function<byte[], String> idOf) {
        KStream<String, byte[]> raw = builder.stream(topic.name(),
                org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName(topic.name() + "-source"));
        Map<String, KStream<String, byte[]>> branches = raw
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
