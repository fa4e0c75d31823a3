package io.orderflow.topology.views;

import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.domain.Views;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.time.Duration;

/**
 * Folds {@code order.status} into {@code order-analytics} where the records are: each task keeps, per status and
 * window, the part of the counts its own partition of orders contributes, and the query sums the parts over every
 * partition and instance. Re-keying by status instead would send every status change through a repartition topic
 * and put all changes of one status — nearly every order ends CONFIRMED — on a single task.
 *
 * <p>Windows are aligned to the epoch and sized {@code window}, keyed by the record's timestamp like the DSL's
 * tumbling windows. A change whose window is older than the store's retention is dropped by the store.
 */
final class AnalyticsProcessor implements Processor<String, OrderStatusChanged, Void, Void> {
    private final long windowMs;
    private TimestampedWindowStore<String, StatusWindow> windows;

    AnalyticsProcessor(Duration window) {
        this.windowMs = window.toMillis();
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        windows = context.getStateStore(StoreNames.ORDER_ANALYTICS);
    }

    @Override
    public void process(Record<String, OrderStatusChanged> record) {
        OrderStatusChanged change = record.value();
        if (change == null) {
            return;
        }
        long start = windowStart(record.timestamp(), windowMs);
        String status = change.getStatus().name();
        ValueAndTimestamp<StatusWindow> before = windows.fetch(status, start);
        StatusWindow after = Views.window(before == null ? null : before.value(), change);
        long timestamp = before == null ? record.timestamp() : Math.max(before.timestamp(), record.timestamp());
        windows.put(status, ValueAndTimestamp.make(after, timestamp), start);
    }

    /** The start of the epoch-aligned window of {@code windowMs} that holds {@code timestamp}. */
    static long windowStart(long timestamp, long windowMs) {
        return timestamp - Math.floorMod(timestamp, windowMs);
    }
}
