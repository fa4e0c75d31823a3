package io.orderflow.server.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.SagaLine;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.SagaTimeline;
import io.orderflow.contracts.state.TimelineEntry;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Ledger;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the read API answers, one record per answer, built from store values. The records' component names and
 * order are the public JSON contract (docs/api.md), so they are read back unchanged when one instance gathers
 * another's part.
 */
public final class Views {
    private Views() {
    }

    /**
     * {@code GET /sagas}: one saga as an operator sees it — where it stands, since when, and which replies it
     * waits for ({@code awaiting}: {@code payment AUTHORIZING}, {@code inventory <sku> RESERVING}, …; empty once
     * it has ended).
     */
    public record Saga(String orderId, String customerId, String status, String reason, long total, String currency,
                       int version, long placedAt, long deadline, List<String> awaiting) {
        public static Saga of(SagaState saga) {
            List<String> awaiting = new java.util.ArrayList<>();
            switch (saga.getPayment()) {
                case AUTHORIZING, CAPTURING, VOIDING, REFUNDING -> awaiting.add("payment " + saga.getPayment());
                default -> {
                }
            }
            for (SagaLine line : saga.getLines()) {
                switch (line.getStep()) {
                    case RESERVING, COMMITTING, RELEASING ->
                            awaiting.add("inventory " + line.getLine().getSku() + " " + line.getStep());
                    default -> {
                    }
                }
            }
            return new Saga(saga.getOrderId(), saga.getCustomerId(), saga.getStatus().name(), name(saga.getReason()),
                    saga.getTotal(), saga.getCurrency(), saga.getVersion(), saga.getPlacedAt(), saga.getDeadline(),
                    List.copyOf(awaiting));
        }
    }

    /**
     * {@code GET /orders/{id}/timeline}: what the order's saga read (its events and the replies, with the topic,
     * partition and offset each was read at) and sent (commands and status changes: their place is the broker's,
     * shown as -1), in order, each with the instance that did it. {@code truncated}: older entries dropped.
     */
    public record Timeline(String orderId, int truncated, List<TimelineItem> entries) {
        public static Timeline of(String orderId, SagaTimeline timeline) {
            List<TimelineItem> items = new java.util.ArrayList<>();
            for (TimelineEntry entry : timeline.getEntries()) {
                items.add(new TimelineItem(entry.getAt(), entry.getDirection().name(), entry.getWhat(),
                        entry.getTopic(), entry.getPartition(), entry.getOffset(), entry.getInstance()));
            }
            return new Timeline(orderId, timeline.getTruncated(), items);
        }
    }

    public record TimelineItem(long at, String direction, String what, String topic, int partition, long offset,
                               String instance) {
    }

    /** A page of {@code GET /sagas}, oldest first; {@code next} is the {@code from} of the following page. */
    public record SagaPage(List<Saga> items, String next) {
    }

    /** {@code GET /orders/{id}}. */
    public record Order(String orderId, String customerId, String status, String reason, List<Line> lines,
                        long total, String currency, int version, long placedAt,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String note, List<StatusAt> history) {
        public static Order of(OrderView view) {
            return new Order(view.getOrderId(), view.getCustomerId(), view.getStatus().name(), name(view.getReason()),
                    view.getLines().stream().map(l -> new Line(l.getSku(), l.getQuantity(), l.getUnitPrice())).toList(),
                    view.getTotal(), view.getCurrency(), view.getVersion(), view.getPlacedAt(), view.getNote(),
                    view.getHistory().stream().map(h -> new StatusAt(h.getStatus().name(), name(h.getReason()),
                            h.getVersion(), h.getAt())).toList());
        }
    }

    public record Line(String sku, int quantity, long unitPrice) {
    }

    /** One entry of an order's history: the status it entered, at which version and when. */
    public record StatusAt(String status, String reason, int version, long at) {
    }

    /** {@code GET /customers/{customerId}/orders}. */
    public record Customer(String customerId, Map<String, Long> countsByStatus, List<String> recentOrderIds,
                           Map<String, Long> spent) {
        public static Customer of(CustomerOrders summary) {
            return new Customer(summary.getCustomerId(), new TreeMap<>(summary.getCountsByStatus()),
                    summary.getRecentOrderIds(), new TreeMap<>(summary.getSpent()));
        }
    }

    /** {@code GET /inventory/{sku}}, and an item of {@code GET /inventory}. */
    public record StockLevel(String sku, long onHand, long reserved, long available, long version) {
        public static StockLevel of(Stock stock) {
            return new StockLevel(stock.getSku(), stock.getOnHand(), Inventory.reserved(stock),
                    Inventory.available(stock), stock.getVersion());
        }
    }

    /** {@code GET /accounts/{customerId}}. */
    public record Balance(String customerId, long balance, long held, long available, String currency,
                          long version) {
        public static Balance of(Account account) {
            return new Balance(account.getCustomerId(), account.getBalance(), Ledger.held(account),
                    Ledger.available(account), account.getCurrency(), account.getVersion());
        }
    }

    /** {@code GET /inventory}: a page in sku order; {@code next} is the first sku of the next page, or null. */
    public record InventoryPage(List<StockLevel> items, String next) {
    }

    /** {@code GET /analytics/orders}: per status, the orders that entered it in [from, to). */
    public record Analytics(String window, String from, String to, Map<String, StatusTotals> statuses) {
    }

    /** Orders that entered one status, and their amounts per currency in minor units. */
    public record StatusTotals(long count, Map<String, Long> amounts) {
        StatusTotals plus(StatusTotals other) {
            Map<String, Long> sum = new TreeMap<>(amounts);
            other.amounts.forEach((currency, amount) -> sum.merge(currency, amount, Long::sum));
            return new StatusTotals(count + other.count, sum);
        }
    }

    private static String name(CancelReason reason) {
        return reason == null ? null : reason.name();
    }
}
