package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistry;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Merges a processor's inputs into one stream of {@code Object}, so that one processor — and so one task with
 * its stores — sees every record of a key, whichever topic it came from.
 */
public final class Inputs {
    private final String reader;
    private KStream<String, Object> merged;

    private Inputs(String reader) {
        this.reader = reader;
    }

    /** @param reader the reading topology's name, used to name every node this adds */
    public static Inputs of(String reader) {
        return new Inputs(reader);
    }

    public Inputs add(String name, KStream<String, ?> stream) {
        KStream<String, Object> objects = stream.mapValues(value -> (Object) value, Named.as(reader + "-in-" + name));
        merged = merged == null ? objects : merged.merge(objects, Named.as(reader + "-merge-" + name));
        return this;
    }

    public <V> Inputs add(StreamsBuilder builder, Topic<V> topic, SchemaRegistry registry) {
        return add(topic.name().replace('.', '-'), builder.stream(topic.name(), topic.consumed(registry)));
    }

    public KStream<String, Object> stream() {
        if (merged == null) {
            throw new IllegalStateException(reader + " has no inputs");
        }
        return merged;
    }
}
