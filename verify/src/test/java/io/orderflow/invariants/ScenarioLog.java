package io.orderflow.invariants;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Views;
import io.orderflow.topology.Topics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made event logs for the checker's tests: each method adds what the real topology would write for one
 * step (the ingress record, the status changes, the replies, the effect on the stores), so {@link #build()} gives
 * a consistent log that a test then breaks in exactly one way.
 */
final class ScenarioLog {
    final List<OrderStatusChanged> statuses = new ArrayList<>();
    final List<PaymentReply> paymentReplies = new ArrayList<>();
    final List<InventoryReply> inventoryReplies = new ArrayList<>();
    final Map<String, Stock> stock = new LinkedHashMap<>();
    final Map<String, Account> accounts = new LinkedHashMap<>();

    private final EventLog log = new EventLog();
    private final Map<String, List<OrderLine>> linesByOrder = new HashMap<>();
    private final Map<String, String> customerByOrder = new HashMap<>();
    private long orderOffset;
    private long adjustmentOffset;
    private long depositOffset;
    private long deadLetterOffset;

    static OrderLine line(String sku, int quantity, long unitPrice) {
        return new OrderLine(sku, quantity, unitPrice);
    }

    ScenarioLog adjust(String eventId, String sku, int delta) {
        log.addAdjustment(Coordinates.of(Topics.INVENTORY_ADJUSTMENTS.name(), 0, adjustmentOffset++), sku,
                new StockAdjusted(eventId, sku, delta, "restock", null));
        Stock s = stock.computeIfAbsent(sku, k -> new Stock(k, 0L, new HashMap<>(), 0L, 0L));
        s.setOnHand(s.getOnHand() + delta);
        s.setVersion(s.getVersion() + 1);
        return this;
    }

    /** An adjustment the inventory refused, with its dead letter. */
    ScenarioLog rejectedAdjustment(String eventId, String sku, int delta, String reason) {
        Coordinates at = Coordinates.of(Topics.INVENTORY_ADJUSTMENTS.name(), 0, adjustmentOffset++);
        log.addAdjustment(at, sku, new StockAdjusted(eventId, sku, delta, "shrinkage", 0L));
        return deadLetter(at, reason);
    }

    ScenarioLog deposit(String eventId, String customerId, long amount) {
        log.addDeposit(Coordinates.of(Topics.PAYMENT_DEPOSITS.name(), 0, depositOffset++), customerId,
                new FundsDeposited(eventId, customerId, amount, "EUR"));
        Account a = accounts.computeIfAbsent(customerId, k -> new Account(k, "EUR", 0L, new HashMap<>(), 0L, 0L));
        a.setBalance(a.getBalance() + amount);
        a.setVersion(a.getVersion() + 1);
        return this;
    }

    /** A deposit re-sent with an eventId already used: the ledger ignores it. */
    ScenarioLog duplicateDeposit(String eventId, String customerId, long amount) {
        log.addDeposit(Coordinates.of(Topics.PAYMENT_DEPOSITS.name(), 0, depositOffset++), customerId,
                new FundsDeposited(eventId, customerId, amount, "EUR"));
        return this;
    }

    /** OrderPlaced → PLACED, AWAITING, CONFIRMED with authorize, reserve, capture and commit. */
    ScenarioLog confirmed(String orderId, String customerId, OrderLine... lines) {
        placed(orderId, customerId, lines);
        long total = total(orderId);
        status(orderId, OrderStatus.PLACED, null, null, 1);
        status(orderId, OrderStatus.AWAITING, OrderStatus.PLACED, null, 2);
        payment(orderId, PaymentReplyType.AUTHORIZED, total);
        for (OrderLine line : lines) {
            inventory(orderId, line, InventoryReplyType.RESERVED);
        }
        status(orderId, OrderStatus.CONFIRMED, OrderStatus.AWAITING, null, 3);
        payment(orderId, PaymentReplyType.CAPTURED, total);
        for (OrderLine line : lines) {
            inventory(orderId, line, InventoryReplyType.COMMITTED);
            Stock s = stock.get(line.getSku());
            s.setOnHand(s.getOnHand() - line.getQuantity());
        }
        Account a = accounts.get(customerId);
        a.setBalance(a.getBalance() - total);
        return this;
    }

    /** OrderCancelRequested after confirmation → COMPENSATING(CUSTOMER), CANCELLED with refund and restock. */
    ScenarioLog refunded(String orderId) {
        log.addOrderEvent(Coordinates.of(Topics.ORDER_EVENTS.name(), 0, orderOffset++), orderId,
                new OrderEvent("cancel-" + orderId, orderId, new OrderCancelRequested()), null);
        long total = total(orderId);
        status(orderId, OrderStatus.COMPENSATING, OrderStatus.CONFIRMED, CancelReason.CUSTOMER, 4);
        payment(orderId, PaymentReplyType.REFUNDED, total);
        for (OrderLine line : linesByOrder.get(orderId)) {
            inventory(orderId, line, InventoryReplyType.RELEASED);
            Stock s = stock.get(line.getSku());
            s.setOnHand(s.getOnHand() + line.getQuantity());
        }
        status(orderId, OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 5);
        Account a = accounts.get(customerIdOf(orderId));
        a.setBalance(a.getBalance() + total);
        return this;
    }

    /** OrderPlaced → PLACED, AWAITING; the payment is declined and the reserved lines released. */
    ScenarioLog declined(String orderId, String customerId, OrderLine... lines) {
        placed(orderId, customerId, lines);
        status(orderId, OrderStatus.PLACED, null, null, 1);
        status(orderId, OrderStatus.AWAITING, OrderStatus.PLACED, null, 2);
        payment(orderId, PaymentReplyType.DECLINED, total(orderId));
        status(orderId, OrderStatus.COMPENSATING, OrderStatus.AWAITING, CancelReason.INSUFFICIENT_FUNDS, 3);
        for (OrderLine line : lines) {
            inventory(orderId, line, InventoryReplyType.RESERVED);
            inventory(orderId, line, InventoryReplyType.RELEASED);
        }
        status(orderId, OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.INSUFFICIENT_FUNDS, 4);
        return this;
    }

    /** An order breaking the content rules: PLACED then CANCELLED(INVALID_ORDER), no commands. */
    ScenarioLog invalid(String orderId, String customerId, OrderLine... lines) {
        placed(orderId, customerId, lines);
        status(orderId, OrderStatus.PLACED, null, null, 1);
        status(orderId, OrderStatus.CANCELLED, OrderStatus.PLACED, CancelReason.INVALID_ORDER, 2);
        return this;
    }

    /** An order that stopped AWAITING: placed, authorized and reserved, never decided. */
    ScenarioLog stuck(String orderId, String customerId, OrderLine... lines) {
        placed(orderId, customerId, lines);
        status(orderId, OrderStatus.PLACED, null, null, 1);
        status(orderId, OrderStatus.AWAITING, OrderStatus.PLACED, null, 2);
        return this;
    }

    /** An order.events record that could not be read, with or without its dead letter. */
    ScenarioLog unreadableOrderEvent(boolean deadLettered) {
        Coordinates at = Coordinates.of(Topics.ORDER_EVENTS.name(), 0, orderOffset++);
        log.addUnreadableOrderEvent(at, null, "malformed JSON");
        return deadLettered ? deadLetter(at, "UNREADABLE") : this;
    }

    /** An OrderPlaced whose key differs from its orderId: INVALID, dead-lettered, never an order. */
    ScenarioLog misKeyedOrder(String key, String orderId, String customerId, OrderLine... lines) {
        Coordinates at = Coordinates.of(Topics.ORDER_EVENTS.name(), 0, orderOffset++);
        log.addOrderEvent(at, key, new OrderEvent("e-" + orderId, orderId,
                new OrderPlaced(customerId, "EUR", new ArrayList<>(Arrays.asList(lines)), null)), null);
        return deadLetter(at, "INVALID");
    }

    ScenarioLog deadLetter(Coordinates source, String reason) {
        log.addDeadLetter(new EventLog.DeadLetter(Coordinates.of(Topics.DEAD_LETTERS.name(), 0, deadLetterOffset++),
                source, reason, reason));
        return this;
    }

    OrderStatusChanged status(String orderId, OrderStatus status, OrderStatus previous, CancelReason reason,
                              int version) {
        OrderStatusChanged change = OrderStatusChanged.newBuilder()
                .setEventId(orderId + ":v" + version)
                .setOrderId(orderId)
                .setCustomerId(customerIdOf(orderId))
                .setStatus(status)
                .setPreviousStatus(previous)
                .setReason(reason)
                .setVersion(version)
                .setTotal(total(orderId))
                .setCurrency("EUR")
                .setLines(new ArrayList<>(linesByOrder.get(orderId)))
                .setPlacedAt(1_000L)
                .setChangedAt(1_000L + version)
                .build();
        statuses.add(change);
        return change;
    }

    PaymentReply payment(String orderId, PaymentReplyType type, long amount) {
        PaymentReply reply = new PaymentReply(orderId + ":" + type.name().toLowerCase(), orderId,
                customerIdOf(orderId), type, amount, "EUR", type == PaymentReplyType.DECLINED
                ? CancelReason.INSUFFICIENT_FUNDS : null);
        paymentReplies.add(reply);
        return reply;
    }

    private void inventory(String orderId, OrderLine line, InventoryReplyType type) {
        inventoryReplies.add(new InventoryReply(orderId + ":" + type.name().toLowerCase() + ":" + line.getSku(),
                orderId, line.getSku(), type, line.getQuantity(), null));
    }

    private void placed(String orderId, String customerId, OrderLine... lines) {
        linesByOrder.put(orderId, List.of(lines));
        customerByOrder.put(orderId, customerId);
        log.addOrderEvent(Coordinates.of(Topics.ORDER_EVENTS.name(), 0, orderOffset++), orderId,
                new OrderEvent("e-" + orderId, orderId,
                        new OrderPlaced(customerId, "EUR", new ArrayList<>(Arrays.asList(lines)), null)), null);
    }

    private String customerIdOf(String orderId) {
        return customerByOrder.get(orderId);
    }

    private long total(String orderId) {
        long total = 0;
        for (OrderLine line : linesByOrder.get(orderId)) {
            total += line.getQuantity() * line.getUnitPrice();
        }
        return total;
    }

    /**
     * The log: the recorded inputs, the outputs in the order they were added (offsets from 0 per topic), and
     * final stores as the topology would hold them, read models folded with {@link Views}.
     */
    EventLog build() {
        Map<String, OrderView> views = new LinkedHashMap<>();
        Map<String, CustomerOrders> customers = new LinkedHashMap<>();
        long offset = 0;
        for (OrderStatusChanged change : statuses) {
            log.addStatus(Coordinates.of(Topics.ORDER_STATUS.name(), 0, offset++), change.getOrderId(), change);
            views.put(change.getOrderId(), Views.order(views.get(change.getOrderId()), change));
            customers.put(change.getCustomerId(), Views.customer(customers.get(change.getCustomerId()), change));
        }
        offset = 0;
        for (PaymentReply reply : paymentReplies) {
            log.addPaymentReply(Coordinates.of(Topics.PAYMENT_REPLIES.name(), 0, offset++), reply.getOrderId(), reply);
        }
        offset = 0;
        for (InventoryReply reply : inventoryReplies) {
            log.addInventoryReply(Coordinates.of(Topics.INVENTORY_REPLIES.name(), 0, offset++), reply.getOrderId(),
                    reply);
        }
        stock.forEach(log::putStock);
        accounts.forEach(log::putAccount);
        views.forEach(log::putOrderView);
        customers.forEach(log::putCustomerOrders);
        return log;
    }
}
