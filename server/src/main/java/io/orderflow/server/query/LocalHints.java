package io.orderflow.server.query;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a key this instance owns be read without asking Kafka Streams for the key's metadata first
 * ({@code queryMetadataForKey} builds sets of source topics under a lock on every call): remembers each key's partition
 * (fixed while the topic's partition count is) and which partitions were last seen active here. Hints only: a read
 * they send to this instance's store is answered only when that store's active copy is here, and falls back to the
 * metadata otherwise, so a hint gone stale in a rebalance costs one extra look, never a wrong answer.
 */
final class LocalHints {
    /** Keys remembered per store at most; past it the store's keys are forgotten and learnt again. */
    static final int MAX_KEYS = 50_000;

    private final Map<String, Map<String, Integer>> partitions = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> activeHere = new ConcurrentHashMap<>();

    /** The partition of {@code key} in {@code store} when it was last seen active here; null when not known so. */
    Integer activePartition(String store, String key) {
        Integer partition = keys(store).get(key);
        return partition != null && active(store).contains(partition) ? partition : null;
    }

    /** What the metadata said: {@code key} is in {@code partition}, whose active copy is here or not. */
    void learn(String store, String key, int partition, boolean hereActive) {
        Map<String, Integer> keys = keys(store);
        if (keys.size() >= MAX_KEYS) {
            keys.clear();
        }
        keys.put(key, partition);
        if (hereActive) {
            active(store).add(partition);
        } else {
            active(store).remove(partition);
        }
    }

    /** The active copy of {@code partition} of {@code store} did not answer here: ask the metadata again. */
    void forget(String store, int partition) {
        active(store).remove(partition);
    }

    private Map<String, Integer> keys(String store) {
        return partitions.computeIfAbsent(store, s -> new ConcurrentHashMap<>());
    }

    private Set<Integer> active(String store) {
        return activeHere.computeIfAbsent(store, s -> ConcurrentHashMap.newKeySet());
    }
}
