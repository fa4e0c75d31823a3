package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistry;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

import java.util.function.Function;

/**
 * Merges a processor's inputs into one stream of its input type {@code I}, each value wrapped as what it is, so
 * that one processor — and so one task with its stores — sees every record of a key, whichever topic it came
 * from. A null value (a tombstone) on any input is wrapped as unreadable raw bytes, so the processor dead-letters
 * it instead of failing on it.
 *
 * @param <I> the processor's input type
 */
public final class Inputs<I> {
    private final String reader;
    private final Function<byte[], I> raw;
    private KStream<String, I> merged;

    private Inputs(String reader, Function<byte[], I> raw) {
        this.reader = reader;
        this.raw = raw;
    }

    /**
     * @param reader the reading topology's name, used to name every node this adds
     * @param raw    wraps raw bytes: the ingress input, and any tombstone
     */
    public static <I> Inputs<I> of(String reader, Function<byte[], I> raw) {
        return new Inputs<>(reader, raw);
    }

    /** Adds the ingress stream, whose values are raw bytes. */
    public Inputs<I> addRaw(String name, KStream<String, byte[]> stream) {
        return add(name, stream, raw);
    }

    public <V> Inputs<I> add(String name, KStream<String, V> stream, Function<V, I> wrap) {
        KStream<String, I> wrapped = stream.mapValues(value -> value == null ? raw.apply(null) : wrap.apply(value),
                Named.as(reader + "-in-" + name));
        merged = merged == null ? wrapped : merged.merge(wrapped, Named.as(reader + "-merge-" + name));
        return this;
    }

    public <V> Inputs<I> add(StreamsBuilder builder, Topic<V> topic, SchemaRegistry registry, Function<V, I> wrap) {
        return add(topic.name().replace('.', '-'), builder.stream(topic.name(), topic.consumed(registry)), wrap);
    }

    public KStream<String, I> stream() {
        if (merged == null) {
            throw new IllegalStateException(reader + " has no inputs");
        }
        return merged;
    }
}
