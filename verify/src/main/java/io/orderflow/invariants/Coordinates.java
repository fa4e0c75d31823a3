package io.orderflow.invariants;

import java.util.Objects;

/**
 * Where a record sits in Kafka: topic, partition and offset. Rendered {@code topic-partition@offset}.
 *
 * @param topic     the topic name
 * @param partition the partition, from 0
 * @param offset    the offset within the partition, from 0
 */
public record Coordinates(String topic, int partition, long offset) {

    public Coordinates {
        Objects.requireNonNull(topic, "topic");
    }

    public static Coordinates of(String topic, int partition, long offset) {
        return new Coordinates(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
