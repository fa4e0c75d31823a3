package io.orderflow.invariants;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything {@link InvariantChecker} looks at, filled by the caller: the ingress records, the output records and
 * the final store contents. Whoever fills it — a test around a {@code TopologyTestDriver}, or {@code saga verify}
 * reading real topics with {@code read_committed} and the changelogs — adds each topic's records in per-partition
 * offset order; {@link EventLogRecorder} does the decoding for callers that hold raw bytes.
 *
 * <p>Not thread-safe: fill it from one thread, then check it.
 */
public final class EventLog {

    /**
     * A record read from an ingress topic.
     *
     * @param at      where it was read
     * @param key     its key, null when the producer sent none
     * @param value   the parsed value, or null when it could not be read
     * @param eventId its identity for de-duplication (the value's eventId, else Debezium's {@code id} header for
     *                order events), or null when it has none and its coordinates are its identity
     * @param problem why the value could not be read, or null
     */
    public record Ingress<V>(Coordinates at, String key, V value, String eventId, String problem) {
        public boolean readable() {
            return value != null;
        }
    }

    /** A record read from an output topic, value decoded. */
    public record Output<V>(Coordinates at, String key, V value) {
    }

    /**
     * A record on {@code orderflow.dlq}.
     *
     * @param at      where the dead letter itself sits
     * @param source  the record it stands for (from the {@code __streams.errors.*} headers)
     * @param reason  {@code orderflow.reason}, e.g. UNREADABLE, INVALID, VERSION_CONFLICT; null when absent
     * @param message the human-readable message, or null
     */
    public record DeadLetter(Coordinates at, Coordinates source, String reason, String message) {
    }

    /** A record on an output topic that could not be decoded. */
    public record Unreadable(Coordinates at, String key, String problem) {
    }

    private final List<Ingress<OrderEvent>> orderEvents = new ArrayList<>();
    private final List<Ingress<StockAdjusted>> adjustments = new ArrayList<>();
    private final List<Ingress<FundsDeposited>> deposits = new ArrayList<>();
    private final List<Output<OrderStatusChanged>> statuses = new ArrayList<>();
    private final List<Output<PaymentReply>> paymentReplies = new ArrayList<>();
    private final List<Output<InventoryReply>> inventoryReplies = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<Unreadable> unreadable = new ArrayList<>();
    private final Map<String, Stock> stock = new LinkedHashMap<>();
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private final Map<String, OrderView> orderViews = new LinkedHashMap<>();
    /** Orders whose {@code orders-view} entry was last deleted (a tombstone: purged after retention). */
    private final Set<String> purgedOrderViews = new HashSet<>();
    private final Map<String, CustomerOrders> customerOrders = new LinkedHashMap<>();

    // ---- ingress --------------------------------------------------------------------------------------------

    /**
     * An {@code order.events} record that was read.
     *
     * @param idHeader Debezium's {@code id} header, used as eventId when the value has none; may be null
     */
    public EventLog addOrderEvent(Coordinates at, String key, OrderEvent event, String idHeader) {
        String eventId = event.getEventId() != null ? event.getEventId() : idHeader;
        orderEvents.add(new Ingress<>(at, key, event, eventId, null));
        return this;
    }

    /** An {@code order.events} record whose value could not be read. */
    public EventLog addUnreadableOrderEvent(Coordinates at, String key, String problem) {
        orderEvents.add(new Ingress<>(at, key, null, null, problem));
        return this;
    }

    public EventLog addAdjustment(Coordinates at, String key, StockAdjusted adjustment) {
        adjustments.add(new Ingress<>(at, key, adjustment, adjustment.getEventId(), null));
        return this;
    }

    public EventLog addUnreadableAdjustment(Coordinates at, String key, String problem) {
        adjustments.add(new Ingress<>(at, key, null, null, problem));
        return this;
    }

    public EventLog addDeposit(Coordinates at, String key, FundsDeposited deposit) {
        deposits.add(new Ingress<>(at, key, deposit, deposit.getEventId(), null));
        return this;
    }

    public EventLog addUnreadableDeposit(Coordinates at, String key, String problem) {
        deposits.add(new Ingress<>(at, key, null, null, problem));
        return this;
    }

    // ---- outputs --------------------------------------------------------------------------------------------

    public EventLog addStatus(Coordinates at, String key, OrderStatusChanged change) {
        statuses.add(new Output<>(at, key, change));
        return this;
    }

    public EventLog addPaymentReply(Coordinates at, String key, PaymentReply reply) {
        paymentReplies.add(new Output<>(at, key, reply));
        return this;
    }

    public EventLog addInventoryReply(Coordinates at, String key, InventoryReply reply) {
        inventoryReplies.add(new Output<>(at, key, reply));
        return this;
    }

    public EventLog addDeadLetter(DeadLetter deadLetter) {
        deadLetters.add(deadLetter);
        return this;
    }

    /** A record on an output topic (status, replies, dead letters) that could not be decoded. */
    public EventLog addUnreadableOutput(Coordinates at, String key, String problem) {
        unreadable.add(new Unreadable(at, key, problem));
        return this;
    }

    // ---- final state ----------------------------------------------------------------------------------------

    /** The final {@code inventory-stock} entry for {@code sku}; null removes it. */
    public EventLog putStock(String sku, Stock value) {
        put(stock, sku, value);
        return this;
    }

    /** The final {@code payment-accounts} entry for {@code customerId}; null removes it. */
    public EventLog putAccount(String customerId, Account value) {
        put(accounts, customerId, value);
        return this;
    }

    /** The final {@code orders-view} entry for {@code orderId}; null removes it (the order was purged). */
    public EventLog putOrderView(String orderId, OrderView value) {
        put(orderViews, orderId, value);
        if (value == null) {
            purgedOrderViews.add(orderId);
        } else {
            purgedOrderViews.remove(orderId);
        }
        return this;
    }

    /** The final {@code customer-orders-view} entry for {@code customerId}; null removes it. */
    public EventLog putCustomerOrders(String customerId, CustomerOrders value) {
        put(customerOrders, customerId, value);
        return this;
    }

    private static <V> void put(Map<String, V> map, String key, V value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    // ---- reading --------------------------------------------------------------------------------------------

    public List<Ingress<OrderEvent>> orderEvents() {
        return Collections.unmodifiableList(orderEvents);
    }

    public List<Ingress<StockAdjusted>> adjustments() {
        return Collections.unmodifiableList(adjustments);
    }

    public List<Ingress<FundsDeposited>> deposits() {
        return Collections.unmodifiableList(deposits);
    }

    public List<Output<OrderStatusChanged>> statuses() {
        return Collections.unmodifiableList(statuses);
    }

    public List<Output<PaymentReply>> paymentReplies() {
        return Collections.unmodifiableList(paymentReplies);
    }

    public List<Output<InventoryReply>> inventoryReplies() {
        return Collections.unmodifiableList(inventoryReplies);
    }

    public List<DeadLetter> deadLetters() {
        return Collections.unmodifiableList(deadLetters);
    }

    public List<Unreadable> unreadableOutputs() {
        return Collections.unmodifiableList(unreadable);
    }

    public Map<String, Stock> stock() {
        return Collections.unmodifiableMap(stock);
    }

    public Map<String, Account> accounts() {
        return Collections.unmodifiableMap(accounts);
    }

    public Map<String, OrderView> orderViews() {
        return Collections.unmodifiableMap(orderViews);
    }

    /** Orders whose {@code orders-view} entry was deleted last (a changelog tombstone). */
    public Set<String> purgedOrderViews() {
        return Collections.unmodifiableSet(purgedOrderViews);
    }

    public Map<String, CustomerOrders> customerOrders() {
        return Collections.unmodifiableMap(customerOrders);
    }

    /**
     * Each order's last status (highest version) on {@code order.status}, counted: {@code CONFIRMED},
     * {@code CANCELLED(OUT_OF_STOCK)}, {@code AWAITING} for one still open, and so on, sorted by name.
     */
    public Map<String, Integer> outcomes() {
        Map<String, OrderStatusChanged> last = new HashMap<>();
        for (Output<OrderStatusChanged> record : statuses) {
            last.merge(record.value().getOrderId(), record.value(),
                    (a, b) -> b.getVersion() > a.getVersion() ? b : a);
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (OrderStatusChanged change : last.values()) {
            String outcome = change.getStatus() == OrderStatus.CANCELLED
                    ? "CANCELLED(" + change.getReason() + ")" : change.getStatus().name();
            outcomes.merge(outcome, 1, Integer::sum);
        }
        return outcomes;
    }

    @Override
    public String toString() {
        return "EventLog[orderEvents=" + orderEvents.size() + ", adjustments=" + adjustments.size() + ", deposits="
                + deposits.size() + ", statuses=" + statuses.size() + ", paymentReplies=" + paymentReplies.size()
                + ", inventoryReplies=" + inventoryReplies.size() + ", deadLetters=" + deadLetters.size()
                + ", unreadable=" + unreadable.size() + ", stock=" + stock.size() + ", accounts=" + accounts.size()
                + ", orderViews=" + orderViews.size() + ", customerOrders=" + customerOrders.size() + "]";
    }
}
