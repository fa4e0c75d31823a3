package io.orderflow.server.metrics;

import io.orderflow.topology.StoreNames;
import io.orderflow.topology.saga.DeadlineIndex;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Clock;
import java.time.Duration;

/**
 * How many orders this instance's active tasks are waiting on, and since when: read from the saga's deadline
 * index ({@code saga-deadlines}, key = zero-padded deadline + orderId), which holds exactly the orders AWAITING
 * replies. Read at scrape time; while the store is not queryable (rebalancing) the last values are kept.
 */
public final class PendingSagas {
    private final KafkaStreams streams;
    private final long timeoutMillis;
    private final Clock clock;
    private volatile double count;
    private volatile double oldestAgeSeconds;

    public PendingSagas(KafkaStreams streams, Duration sagaTimeout, Clock clock) {
        this.streams = streams;
        this.timeoutMillis = sagaTimeout.toMillis();
        this.clock = clock;
    }

    public double count() {
        refresh();
        return count;
    }

    public double oldestAgeSeconds() {
        refresh();
        return oldestAgeSeconds;
    }

    private synchronized void refresh() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            ReadOnlyKeyValueStore<String, String> index = streams.store(StoreQueryParameters.fromNameAndType(
                    StoreNames.SAGA_DEADLINES, QueryableStoreTypes.keyValueStore()));
            long n = 0;
            long earliestDeadline = Long.MAX_VALUE;
            try (KeyValueIterator<String, String> all = index.all()) {
                while (all.hasNext()) {
                    KeyValue<String, String> entry = all.next();
                    n++;
                    earliestDeadline = Math.min(earliestDeadline, DeadlineIndex.deadlineOf(entry.key));
                }
            }
            count = n;
            oldestAgeSeconds = n == 0 ? 0
                    : Math.max(0, clock.millis() - (earliestDeadline - timeoutMillis)) / 1000.0;
        } catch (InvalidStateStoreException rebalancing) {
            // keep the last values: a gauge that drops to zero during a rebalance would hide the lag
        }
    }
}
