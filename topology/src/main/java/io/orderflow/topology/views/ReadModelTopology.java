package io.orderflow.topology.views;

import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.domain.Views;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderStatusListener;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;

/**
 * The CQRS read models, all folded from {@code order.status} with the functions in {@link Views}:
 * {@code orders-view} (by orderId; an ended order is deleted a retention after it ended, see
 * {@link OrderViewProcessor}), {@code customer-orders-view} (re-keyed by customerId) and
 * {@code order-analytics} (per status, one-minute windows kept for a day; each task counts its own partition's
 * changes, and the query sums them — see {@link AnalyticsProcessor}).
 */
public final class ReadModelTopology {
    public static final Duration ANALYTICS_WINDOW = Duration.ofMinutes(1);
    public static final Duration ANALYTICS_RETENTION = Duration.ofDays(1);

    private ReadModelTopology() {
    }

    /**
     * @param retention     how long {@code orders-view} keeps an order after it ended
     * @param retentionScan how often (wall clock) {@code orders-view} is walked for ended orders
     * @param listener      told of each status change after {@code orders-view} has it (added after the folds)
     */
    public static void addTo(StreamsBuilder builder, SchemaRegistry registry, Duration retention,
                             Duration retentionScan, OrderflowMetrics metrics, OrderStatusListener listener) {
        AvroSerde<OrderStatusChanged> statusSerde = new AvroSerde<>(OrderStatusChanged.class, registry);
        KStream<String, OrderStatusChanged> status = builder.stream(Topics.ORDER_STATUS.name(),
                Topics.ORDER_STATUS.consumed(registry));

        // A processor rather than the DSL's aggregate, so that ended orders can be deleted; the store is of the
        // type the aggregate made (timestamped), so its changelog and local files carry over.
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(
                        Stores.persistentTimestampedKeyValueStore(StoreNames.ORDERS_VIEW),
                        Serdes.String(), new AvroSerde<>(OrderView.class, registry))
                .withCachingEnabled());
        status.process(() -> new OrderViewProcessor(retention, retentionScan, metrics), Named.as("orders-view-fold"),
                StoreNames.ORDERS_VIEW);

        status.groupBy((orderId, change) -> change.getCustomerId(),
                        Grouped.with("customer-orders-by-customer", Serdes.String(), statusSerde))
                .aggregate(() -> null, (customerId, change, summary) -> Views.customer(summary, change),
                        Named.as("customer-orders-view-fold"),
                        Materialized.<String, CustomerOrders, KeyValueStore<Bytes, byte[]>>as(
                                        StoreNames.CUSTOMER_ORDERS_VIEW)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new AvroSerde<>(CustomerOrders.class, registry)));

        builder.addStateStore(Stores.timestampedWindowStoreBuilder(
                        Stores.persistentTimestampedWindowStore(StoreNames.ORDER_ANALYTICS, ANALYTICS_RETENTION,
                                ANALYTICS_WINDOW, false),
                        Serdes.String(), new AvroSerde<>(StatusWindow.class, registry))
                .withCachingEnabled());
        status.process(() -> new AnalyticsProcessor(ANALYTICS_WINDOW), Named.as("order-analytics-fold"),
                StoreNames.ORDER_ANALYTICS);

        // Children run in the order they were added: the fold above has updated orders-view by now.
        status.foreach((orderId, change) -> listener.statusChanged(change), Named.as("order-status-listener"));
    }
}
