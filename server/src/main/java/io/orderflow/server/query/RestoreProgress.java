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

    /** One store's restore: records restored of records to restore, over {@code partitions} changelog partitions. */
    public record Store(long restored, long toRestore, int partitions) {
        public long remaining() {
            return Math.max(0, toRestore - restored);
        }
    }

    private record Partition(String store, long toRestore, long restored) {
    }

    private final Map<TopicPartition, Partition> restoring = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        // Offsets span transaction markers too, so this is an upper bound on the records to restore.
        restoring.put(partition, new Partition(store, Math.max(0, endingOffset - startingOffset), 0));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restoring.computeIfPresent(partition, (p, r) -> new Partition(r.store(), r.toRestore(), r.restored() + numRestored));
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
            stores.merge(p.store(), new Store(p.restored(), p.toRestore(), 1),
                    (a, b) -> new Store(a.restored() + b.restored(), a.toRestore() + b.toRestore(),
                            a.partitions() + b.partitions()));
        }
        return stores;
    }

    /** Records still to restore over every store (an upper bound). */
    public long remaining() {
        long remaining = 0;
        for (Partition p : restoring.values()) {
            remaining += Math.max(0, p.toRestore() - p.restored());
        }
        return remaining;
    }

    /** Records restored so far over the restores under way. */
    public long restored() {
        long restored = 0;
        for (Partition p : restoring.values()) {
            restored += p.restored();
        }
        return restored;
    }
}
