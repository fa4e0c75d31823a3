package io.orderflow.topology;

import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.util.function.Function;

/**
 * A topic's name together with its serdes, so that a name never travels without them. Keys are always strings.
 *
 * @param <V> the value type: an Avro contract, or {@code byte[]} for ingress topics, which accept JSON or Avro
 *            and are read by the processors themselves so that unreadable records can be dead-lettered whole
 */
public record Topic<V>(String name, Function<SchemaRegistry, Serde<V>> valueSerdeFactory) {

    static <V extends SpecificRecord> Topic<V> avro(String name, Class<V> type) {
        return new Topic<>(name, registry -> new AvroSerde<>(type, registry));
    }

    static Topic<byte[]> raw(String name) {
        return new Topic<>(name, registry -> Serdes.ByteArray());
    }

    public Serde<String> keySerde() {
        return Serdes.String();
    }

    public Serde<V> valueSerde(SchemaRegistry registry) {
        return valueSerdeFactory.apply(registry);
    }

    /** Consumed with this topic's serdes, its source node named {@code <topic>-source}. */
    public Consumed<String, V> consumed(SchemaRegistry registry) {
        return Consumed.with(keySerde(), valueSerde(registry)).withName(name + "-source");
    }

    /** Produced with this topic's serdes; {@code writer} makes the sink's node name unique per writing topology. */
    public Produced<String, V> produced(SchemaRegistry registry, String writer) {
        return Produced.with(keySerde(), valueSerde(registry)).withName(writer + "-to-" + name);
    }

    @Override
    public String toString() {
        return name;
    }
}
