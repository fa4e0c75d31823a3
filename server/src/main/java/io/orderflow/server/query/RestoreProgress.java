package io.orderflow.server.query;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this instance is restoring from changelogs right now, per store: records restored so far and records to
 * restore in all, over the store's partitions being restored. Kafka Streams tells it through
 * {@link StateRestoreListener}; {@code /ready} shows it and {@code /metrics} exports it, so an operator sees how far
 * a restore is and how long it will take. Standby tasks keeping up are not restores and are not shown.
 */
public final class RestoreProgress implements StateRestoreListener {

    /**
     * One store's restore, as {@code /ready} shows it: records restored, records to restore in all and still to
     * restore, over {@code partitions} changelog partitions.
     */
    public record Store(long restored, long toRestore, long remaining, int partitions) {
        Store plus(Store other) {
            return new Store(restored + other.restored, toRestore + other.toRestore, remaining + other.remaining,
                    partitions + other.partitions);
        }
    }

    private record Partition(String store, long toRestore, long restored) {
        Store asStore() {
            return new Store(restored, toRestore, Math.max(0, toRestore - restored), 1);
        }
    }

    private final Map<TopicPartition, Partition> restoring = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        // Offsets span transaction markers too, so this is an upper bound on the records to restore.
        restoring.put(partition, new Partition(store, Math.max(0, endingOffset - startingOffset), 0));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restoring.computeIfPresent(partition,
                (p, r) -> new Partition(r.store(), r.toRestore(), r.restored() + numRestored));
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(partition); // the task moved to another instance
    }

    /** Stores being restored now, by name; empty when nothing is. */
    public Map<String, Store> stores() {
        Map<String, Store> stores = new TreeMap<>();
        for (Partition p : restoring.values()) {
            stores.merge(p.store(), p.asStore(), Store::plus);
        }
        return stores;
    }

    /** Every restore under way, summed over its stores. */
    public static Store total(Map<String, Store> stores) {
        return stores.values().stream().reduce(new Store(0, 0, 0, 0), Store::plus);
    }

    /** Records still to restore over every store (an upper bound). */
    public long remaining() {
        return total(stores()).remaining();
    }

    /** Records restored so far over the restores under way. */
    public long restored() {
        return total(stores()).restored();
    }
}
