package io.orderflow.topology.views;

import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.StatusEntry;
import io.orderflow.domain.SagaRules;
import io.orderflow.domain.Views;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.StorePurger;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import java.time.Duration;
import java.util.List;

/**
 * Folds {@code order.status} into {@code orders-view} with {@link Views#order}, as the DSL aggregate before it did
 * (same store type, so the same changelog and local format), and deletes an order's view {@code retention} after
 * its last status change when that status is CONFIRMED or CANCELLED.
 */
final class OrderViewProcessor implements Processor<String, OrderStatusChanged, Void, Void> {
    /** A view has ended at its last change when that change made it CONFIRMED or CANCELLED. */
    static final StorePurger.Ending<ValueAndTimestamp<OrderView>> ENDING = StorePurger.ending(
            view -> SagaRules.isTerminal(view.value().getStatus()), OrderViewProcessor::lastChangedAt,
            OrderViewProcessor::stamped);

    private final Duration retention;
    private final Duration retentionScan;
    private final OrderflowMetrics metrics;
    private TimestampedKeyValueStore<String, OrderView> views;

    OrderViewProcessor(Duration retention, Duration retentionScan, OrderflowMetrics metrics) {
        this.retention = retention;
        this.retentionScan = retentionScan;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        views = context.getStateStore(StoreNames.ORDERS_VIEW);
        StorePurger.schedule(context, StoreNames.ORDERS_VIEW, ENDING, retention, retentionScan, metrics);
    }

    private static Long lastChangedAt(ValueAndTimestamp<OrderView> view) {
        List<StatusEntry> history = view.value().getHistory();
        return history.isEmpty() ? null : history.get(history.size() - 1).getAt();
    }

    /** Only a view without history lacks a time; none is written so, but keep it from lasting forever. */
    private static ValueAndTimestamp<OrderView> stamped(ValueAndTimestamp<OrderView> view, long now) {
        OrderView stamped = OrderView.newBuilder(view.value()).build();
        stamped.getHistory().add(new StatusEntry(stamped.getStatus(), stamped.getReason(), stamped.getVersion(),
                now));
        return ValueAndTimestamp.make(stamped, view.timestamp());
    }

    @Override
    public void process(Record<String, OrderStatusChanged> record) {
        OrderStatusChanged change = record.value();
        if (change == null || record.key() == null) {
            return;
        }
        ValueAndTimestamp<OrderView> before = views.get(record.key());
        OrderView after = Views.order(before == null ? null : before.value(), change);
        if (before != null && after == before.value()) {
            return; // a duplicate: the view has this version already
        }
        long timestamp = before == null ? record.timestamp() : Math.max(before.timestamp(), record.timestamp());
        views.put(record.key(), ValueAndTimestamp.make(after, timestamp));
    }
}
