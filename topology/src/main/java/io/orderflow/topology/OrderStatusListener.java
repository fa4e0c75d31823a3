package io.orderflow.topology;

import io.orderflow.contracts.OrderStatusChanged;

/**
 * Told of every status change once the {@code orders-view} store holds it, on the stream thread — so it must be
 * quick and must not throw. The query layer uses it to wake long-polling readers; the topology knows nothing of
 * who listens.
 */
@FunctionalInterface
public interface OrderStatusListener {
    OrderStatusListener NONE = change -> { };

    void statusChanged(OrderStatusChanged change);
}
