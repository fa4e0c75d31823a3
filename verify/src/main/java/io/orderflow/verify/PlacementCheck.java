package io.orderflow.verify;

import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.Invariant;
import io.orderflow.invariants.InvariantResult;
import io.orderflow.invariants.Violation;
import io.orderflow.topology.ingress.IngressStreams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link Invariant#PLACEMENT}, which only the partition a record sits on can answer: every record of a keyed store's
 * changelog lives in the partition its key hashes to. Kafka Streams writes a changelog record to the partition of
 * the task that holds the store, and routes every interactive query and every command for a key to the task its
 * key hashes to; state for a key in any other partition is state nothing ever reads or changes again — what an
 * ingress record placed by another partitioner (librdkafka's CRC32, an explicit partition) used to leave behind.
 */
final class PlacementCheck {
    private final Map<String, String> storeOfChangelog;
    private final Map<String, Integer> partitionCounts;
    private final List<Violation> violations = new ArrayList<>();
    private int checked;

    /**
     * @param storeOfChangelog the changelogs to check, each with its store's name
     * @param partitionCounts  the partition count of each of those changelogs
     */
    PlacementCheck(Map<String, String> storeOfChangelog, Map<String, Integer> partitionCounts) {
        this.storeOfChangelog = Map.copyOf(storeOfChangelog);
        this.partitionCounts = Map.copyOf(partitionCounts);
    }

    /** Checks one record if its topic is one of the changelogs; other records are ignored. */
    void observe(String topic, int partition, long offset, String key) {
        String store = storeOfChangelog.get(topic);
        if (store == null || key == null) {
            return;
        }
        checked++;
        int expected = IngressStreams.partitionOf(key, partitionCounts.get(topic));
        if (expected != partition) {
            violations.add(new Violation(key, Coordinates.of(topic, partition, offset), "partition " + expected,
                    "partition " + partition, store + " holds '" + key + "' where no query or command for it looks"));
        }
    }

    InvariantResult result() {
        return InvariantResult.of(Invariant.PLACEMENT, checked, violations);
    }
}
