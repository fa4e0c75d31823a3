package io.orderflow.verify;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Topic-partition helpers: one stable order for reports, and the partitions of a set of topics. */
final class Partitions {
    /** By topic name, then partition number. */
    static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private Partitions() {
    }

    /** Every partition of every topic in {@code partitionCounts}. */
    static List<TopicPartition> of(Map<String, Integer> partitionCounts) {
        List<TopicPartition> partitions = new ArrayList<>();
        partitionCounts.forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        });
        return partitions;
    }
}
