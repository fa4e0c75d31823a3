package io.orderflow.domain;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.StatusEntry;
import io.orderflow.contracts.state.StatusWindow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The read-model folds over {@code order.status}. The topology applies them record by record; the invariant
 * checker applies the same functions to a replay of the topic and expects equal results.
 */
public final class Views {
    public static final int RECENT_ORDERS = 20;

    private Views() {
    }

    /** The order view after one status change; a change at or below the view's version is a duplicate. */
    public static OrderView order(OrderView view, OrderStatusChanged change) {
        if (view != null && change.getVersion() <= view.getVersion()) {
            return view;
        }
        OrderView next = view == null
                ? OrderView.newBuilder()
                        .setOrderId(change.getOrderId())
                        .setCustomerId(change.getCustomerId())
                        .setStatus(change.getStatus())
                        .setLines(new ArrayList<>(change.getLines()))
                        .setTotal(change.getTotal())
                        .setCurrency(change.getCurrency())
                        .setVersion(0)
                        .setPlacedAt(change.getPlacedAt())
                        .setHistory(new ArrayList<>())
                        .build()
                : OrderView.newBuilder(view).build();
        next.setStatus(change.getStatus());
        next.setReason(change.getReason());
        if (change.getNote() != null) {
            next.setNote(change.getNote()); // a change an earlier release wrote has none: keep the one seen
        }
        next.setVersion(change.getVersion());
        next.getHistory().add(new StatusEntry(change.getStatus(), change.getReason(), change.getVersion(),
                change.getChangedAt()));
        return next;
    }

    /** Per-customer counts by current status, the most recent orders, and the amount spent per currency. */
    public static CustomerOrders customer(CustomerOrders summary, OrderStatusChanged change) {
        CustomerOrders next = summary == null
                ? new CustomerOrders(change.getCustomerId(), new HashMap<>(), new ArrayList<>(), new HashMap<>())
                : CustomerOrders.newBuilder(summary).build();
        if (change.getPreviousStatus() != null) {
            next.getCountsByStatus().merge(change.getPreviousStatus().name(), -1L, Long::sum);
            next.getCountsByStatus().remove(change.getPreviousStatus().name(), 0L);
        } else {
            List<String> recent = next.getRecentOrderIds();
            recent.add(0, change.getOrderId());
            if (recent.size() > RECENT_ORDERS) {
                recent.subList(RECENT_ORDERS, recent.size()).clear();
            }
        }
        next.getCountsByStatus().merge(change.getStatus().name(), 1L, Long::sum);
        if (change.getStatus() == OrderStatus.CONFIRMED) {
            next.getSpent().merge(change.getCurrency(), change.getTotal(), Long::sum);
        } else if (change.getPreviousStatus() == OrderStatus.CONFIRMED) {
            // Leaving CONFIRMED means a refund is under way: the money no longer counts as spent.
            next.getSpent().merge(change.getCurrency(), -change.getTotal(), Long::sum);
        }
        return next;
    }

    /** One order entering a status inside a window: counted, and its total added per currency. */
    public static StatusWindow window(StatusWindow window, OrderStatusChanged change) {
        StatusWindow next = window == null
                ? new StatusWindow(0L, new HashMap<>())
                : StatusWindow.newBuilder(window).build();
        next.setCount(next.getCount() + 1);
        next.getAmounts().merge(change.getCurrency(), change.getTotal(), Long::sum);
        return next;
    }
}
