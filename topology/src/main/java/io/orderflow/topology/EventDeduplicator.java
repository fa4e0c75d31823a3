package io.orderflow.topology;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import java.time.Duration;

/**
 * Remembers eventIds for a TTL so a redelivered or re-produced event changes nothing. Backed by a window store
 * whose retention is the TTL, so old ids expire with their segments instead of by scanning.
 */
public final class EventDeduplicator {
    private final WindowStore<String, Long> store;
    private final long ttlMillis;

    public EventDeduplicator(WindowStore<String, Long> store, Duration ttl) {
        this.store = store;
        this.ttlMillis = ttl.toMillis();
    }

    public static StoreBuilder<WindowStore<String, Long>> storeBuilder(String name, Duration ttl) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, ttl, ttl, false),
                Serdes.String(), Serdes.Long());
    }

    /** True the first time {@code eventId} is seen within the TTL around {@code timestamp}; records it. */
    public boolean firstTime(String eventId, long timestamp) {
        try (WindowStoreIterator<Long> seen = store.fetch(eventId, Math.max(0, timestamp - ttlMillis), timestamp + ttlMillis)) {
            if (seen.hasNext()) {
                return false;
            }
        }
        store.put(eventId, timestamp, timestamp);
        return true;
    }
}
