package io.orderflow.invariants;

import io.orderflow.domain.Text;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Ids;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Ledger;
import io.orderflow.domain.Views;
import io.orderflow.invariants.EventLog.DeadLetter;
import io.orderflow.invariants.EventLog.Ingress;
import io.orderflow.invariants.EventLog.Output;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks DESIGN's consistency invariants over an {@link EventLog}: what went into the ingress topics, what came
 * out on {@code order.status}, the reply topics and the dead-letter topic, and the final store contents. Knows
 * nothing of how the log was filled (a {@code TopologyTestDriver} or real topics read with {@code read_committed}).
 *
 * <p>What counts as applied follows the processors' contract: an ingress record takes effect unless it was
 * dead-lettered (matched by the coordinates in the dead letter's headers) or is a duplicate. A duplicate is a
 * record whose eventId an earlier record of the same topic already used — provided that earlier record passed the
 * identity checks (valid key, id and eventId) which come before de-duplication; records without an eventId are
 * identified by their coordinates and so are never duplicates. De-duplication is modelled per topic and without
 * expiry, which is exact as long as an eventId is never reused for a different order, sku or customer and no
 * re-send comes later than {@code dedupe.ttl} after the original.
 *
 * <p>Final-state rules (onHand, reservations, balance, holds) are checked on the stores as given; "never
 * oversold" and "never negative" are checked on the final state only, since the topics do not fix the
 * interleaving of adjustments and replies. Where {@code order.status} spans partitions, the customer view's
 * recent-order list is accepted for any interleaving of the partitions.
 */
public final class InvariantChecker {
    private static final Set<String> INGRESS_TOPICS = Set.of(Topics.ORDER_EVENTS.name(),
            Topics.INVENTORY_ADJUSTMENTS.name(), Topics.PAYMENT_DEPOSITS.name());

    private InvariantChecker() {
    }

    /** Checks every invariant the log can answer; the {@link Invariant#external()} ones are left NOT_CHECKED. */
    public static InvariantReport check(EventLog log) {
        return new Run(log).report();
    }

    /** One check: the facts derived from the log once, then one method per invariant. */
    private static final class Run {
        private final EventLog log;
        private final Map<Coordinates, DeadLetter> deadLettersBySource = new HashMap<>();
        private final List<Violation> deadLettered = new ArrayList<>();
        private int ingressRecords;

        /** orderId → the first applied OrderPlaced. */
        private final Map<String, Ingress<OrderEvent>> placed = new LinkedHashMap<>();
        private final List<Ingress<StockAdjusted>> appliedAdjustments;
        private final List<Ingress<FundsDeposited>> appliedDeposits;

        /** orderId → every status record, in topic order. */
        private final Map<String, List<Output<OrderStatusChanged>>> statusRecords = new LinkedHashMap<>();
        /** orderId → the status records a version-aware reader keeps (each version above the last one kept). */
        private final Map<String, List<Output<OrderStatusChanged>>> history = new LinkedHashMap<>();

        Run(EventLog log) {
            this.log = log;
            for (DeadLetter letter : log.deadLetters()) {
                deadLettersBySource.putIfAbsent(letter.source(), letter);
            }
            List<Ingress<OrderEvent>> orders = applied(log.orderEvents(), OrderEvent::getOrderId, "orderId");
            for (Ingress<OrderEvent> event : orders) {
                if (event.value().getEvent() instanceof OrderPlaced) {
                    placed.putIfAbsent(event.value().getOrderId(), event);
                }
            }
            appliedAdjustments = applied(log.adjustments(), StockAdjusted::getSku, "sku");
            appliedDeposits = applied(log.deposits(), FundsDeposited::getCustomerId, "customerId");
            checkDeadLetterSources();
            for (Output<OrderStatusChanged> status : log.statuses()) {
                String orderId = status.value().getOrderId();
                statusRecords.computeIfAbsent(orderId, k -> new ArrayList<>()).add(status);
                List<Output<OrderStatusChanged>> kept = history.computeIfAbsent(orderId, k -> new ArrayList<>());
                if (kept.isEmpty() || status.value().getVersion() > last(kept).value().getVersion()) {
                    kept.add(status);
                }
            }
        }

        InvariantReport report() {
            Map<Invariant, InvariantResult> results = new EnumMap<>(Invariant.class);
            results.put(Invariant.TERMINAL, terminal());
            results.put(Invariant.CONTIGUOUS_VERSIONS, contiguousVersions());
            results.put(Invariant.STOCK, stock());
            results.put(Invariant.MONEY, money());
            results.put(Invariant.READ_MODELS, readModels());
            results.put(Invariant.UNREADABLE_OUTPUT, unreadableOutput());
            results.put(Invariant.DEAD_LETTERED, InvariantResult.of(Invariant.DEAD_LETTERED, ingressRecords,
                    deadLettered));
            return new InvariantReport(placed.size(), results);
        }

        // ---- what took effect -------------------------------------------------------------------------------

        private <V> List<Ingress<V>> applied(List<Ingress<V>> records, Function<V, String> idOf, String idField) {
            List<Ingress<V>> applied = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Ingress<V> record : records) {
                ingressRecords++;
                boolean deadLetteredRecord = deadLettersBySource.containsKey(record.at());
                if (!record.readable()) {
                    if (!deadLetteredRecord) {
                        deadLettered.add(Violation.of(String.valueOf(record.key()), record.at(),
                                "unreadable ingress record was not dead-lettered: " + abbreviate(String.valueOf(record.problem())),
                                "a dead letter naming " + record.at(), "none"));
                    }
                    continue;
                }
                String id = idOf.apply(record.value());
                String identityProblem = Ids.problem(idField, id);
                if (identityProblem == null && record.key() != null && !record.key().equals(id)) {
                    identityProblem = "key '" + record.key() + "' differs from " + idField + " '" + id + "'";
                }
                if (identityProblem == null && record.eventId() != null) {
                    identityProblem = Ids.problem("eventId", record.eventId());
                }
                if (identityProblem != null) {
                    if (!deadLetteredRecord) {
                        deadLettered.add(Violation.of(String.valueOf(id), record.at(),
                                "ingress record with an invalid identity was not dead-lettered: " + identityProblem,
                                "a dead letter naming " + record.at(), "none"));
                    }
                    continue;
                }
                if (record.eventId() != null && !seen.add(record.eventId())) {
                    continue; // a duplicate: ignored by the processor
                }
                if (!deadLetteredRecord) {
                    applied.add(record);
                }
            }
            return applied;
        }

        private void checkDeadLetterSources() {
            Set<Coordinates> ingress = new HashSet<>();
            log.orderEvents().forEach(r -> ingress.add(r.at()));
            log.adjustments().forEach(r -> ingress.add(r.at()));
            log.deposits().forEach(r -> ingress.add(r.at()));
            for (DeadLetter letter : log.deadLetters()) {
                if (INGRESS_TOPICS.contains(letter.source().topic()) && !ingress.contains(letter.source())) {
                    deadLettered.add(Violation.of(letter.source().topic(), letter.at(),
                            "dead letter (" + letter.reason() + ") names an ingress record that is not in the log",
                            "an ingress record at " + letter.source(), "none"));
                }
            }
        }

        // ---- 1. terminal ------------------------------------------------------------------------------------

        private InvariantResult terminal() {
            List<Violation> violations = new ArrayList<>();
            for (Map.Entry<String, Ingress<OrderEvent>> order : placed.entrySet()) {
                String orderId = order.getKey();
                List<Output<OrderStatusChanged>> kept = history.get(orderId);
                if (kept == null) {
                    violations.add(Violation.of(orderId, order.getValue().at(),
                            "order was placed but has no status on " + Topics.ORDER_STATUS, "CONFIRMED or CANCELLED",
                            "no status"));
                    continue;
                }
                Output<OrderStatusChanged> previous = null;
                boolean confirmed = false;
                for (Output<OrderStatusChanged> record : kept) {
                    String illegal = illegalTransition(previous == null ? null : previous.value(), record.value(),
                            confirmed);
                    if (illegal != null) {
                        violations.add(Violation.of(orderId, record.at(), illegal,
                                "a transition the saga allows", transition(previous, record)));
                    }
                    confirmed |= record.value().getStatus() == OrderStatus.CONFIRMED;
                    previous = record;
                }
                OrderStatusChanged lastStatus = last(kept).value();
                if (!isTerminal(lastStatus.getStatus())) {
                    violations.add(Violation.of(orderId, last(kept).at(),
                            "order did not reach a terminal status", "CONFIRMED or CANCELLED",
                            lastStatus.getStatus() + " (v" + lastStatus.getVersion() + ")"));
                }
            }
            for (Map.Entry<String, List<Output<OrderStatusChanged>>> order : history.entrySet()) {
                if (!placed.containsKey(order.getKey())) {
                    violations.add(Violation.of(order.getKey(), order.getValue().get(0).at(),
                            "status for an order that was never placed (or whose OrderPlaced was dead-lettered)",
                            "no status", order.getValue().get(0).value().getStatus()));
                }
            }
            return InvariantResult.of(Invariant.TERMINAL, placed.size(), violations);
        }

        private static String illegalTransition(OrderStatusChanged previous, OrderStatusChanged next,
                                                boolean confirmed) {
            OrderStatus from = previous == null ? null : previous.getStatus();
            OrderStatus to = next.getStatus();
            if (next.getPreviousStatus() != from) {
                return "previousStatus " + next.getPreviousStatus() + " does not match the previous record's "
                        + from;
            }
            boolean allowed = from == null ? to == OrderStatus.PLACED : switch (from) {
                case PLACED -> to == OrderStatus.AWAITING || to == OrderStatus.CANCELLED
                        || to == OrderStatus.COMPENSATING;
                case AWAITING -> to == OrderStatus.CONFIRMED || to == OrderStatus.COMPENSATING;
                case COMPENSATING -> to == OrderStatus.CANCELLED;
                case CONFIRMED -> to == OrderStatus.COMPENSATING;
                case CANCELLED -> false;
            };
            if (!allowed) {
                return from == null ? "the first status must be PLACED"
                        : from == OrderStatus.CANCELLED ? "nothing may follow CANCELLED"
                        : "illegal transition " + from + " -> " + to;
            }
            if (confirmed && (to == OrderStatus.COMPENSATING || to == OrderStatus.CANCELLED)
                    && next.getReason() != CancelReason.CUSTOMER) {
                return "a confirmed order may only be cancelled by the customer";
            }
            if (to == OrderStatus.CANCELLED && next.getReason() == null) {
                return "CANCELLED without a reason";
            }
            return null;
        }

        private static String transition(Output<OrderStatusChanged> previous, Output<OrderStatusChanged> next) {
            String to = next.value().getStatus() + (next.value().getReason() == null ? "" : "(" + next.value()
                    .getReason() + ")") + " v" + next.value().getVersion();
            return previous == null ? "start -> " + to : previous.value().getStatus() + " -> " + to;
        }

        // ---- 2. contiguous versions -------------------------------------------------------------------------

        private InvariantResult contiguousVersions() {
            List<Violation> violations = new ArrayList<>();
            for (Map.Entry<String, List<Output<OrderStatusChanged>>> order : statusRecords.entrySet()) {
                int expected = 1;
                for (Output<OrderStatusChanged> record : order.getValue()) {
                    int version = record.value().getVersion();
                    if (version == expected) {
                        expected++;
                    } else if (version < expected) {
                        violations.add(Violation.of(order.getKey(), record.at(), "duplicate or out-of-order version",
                                "v" + expected, "v" + version + " again"));
                    } else {
                        violations.add(Violation.of(order.getKey(), record.at(), "gap in versions", "v" + expected,
                                "v" + version));
                        expected = version + 1;
                    }
                }
            }
            return InvariantResult.of(Invariant.CONTIGUOUS_VERSIONS, statusRecords.size(), violations);
        }

        // ---- 3. stock ---------------------------------------------------------------------------------------

        private InvariantResult stock() {
            List<Violation> violations = new ArrayList<>();
            Map<String, Long> adjusted = new TreeMap<>();
            for (Ingress<StockAdjusted> adjustment : appliedAdjustments) {
                adjusted.merge(adjustment.value().getSku(), (long) adjustment.value().getDelta(), Long::sum);
            }
            Map<String, Long> confirmedQuantity = new TreeMap<>();
            for (Map.Entry<String, List<Output<OrderStatusChanged>>> order : history.entrySet()) {
                OrderStatusChanged finalStatus = last(order.getValue()).value();
                if (finalStatus.getStatus() == OrderStatus.CONFIRMED) {
                    for (OrderLine line : finalStatus.getLines()) {
                        confirmedQuantity.merge(line.getSku(), (long) line.getQuantity(), Long::sum);
                    }
                }
            }
            Map<String, Set<String>> openReservations = openReservationsBySku();
            Set<String> skus = new TreeSet<>(adjusted.keySet());
            skus.addAll(confirmedQuantity.keySet());
            skus.addAll(log.stock().keySet());
            for (String sku : skus) {
                long expected = adjusted.getOrDefault(sku, 0L) - confirmedQuantity.getOrDefault(sku, 0L);
                String formula = "onHand " + expected + " (adjustments " + adjusted.getOrDefault(sku, 0L)
                        + " - confirmed " + confirmedQuantity.getOrDefault(sku, 0L) + ")";
                Stock stock = log.stock().get(sku);
                if (stock == null) {
                    if (expected != 0 || adjusted.containsKey(sku)) {
                        violations.add(Violation.of(sku, null, "no entry in " + StoreNames.INVENTORY_STOCK, formula,
                                "no stock"));
                    }
                    continue;
                }
                if (stock.getOnHand() != expected) {
                    violations.add(Violation.of(sku, null, "final onHand differs from adjustments minus confirmed "
                            + "lines", formula, "onHand " + stock.getOnHand()));
                }
                for (Map.Entry<String, Integer> reservation : new TreeMap<>(stock.getReservations()).entrySet()) {
                    violations.add(Violation.of(sku, null, "reservation of order " + reservation.getKey()
                                    + " outlives its saga (order is " + finalStatus(reservation.getKey()) + ")",
                            "no reservation", reservation.getValue() + " reserved for " + reservation.getKey()));
                }
                if (stock.getReserved() != 0) {
                    Set<String> open = openReservations.getOrDefault(sku, Set.of());
                    violations.add(Violation.of(sku, null, "a reserved total outlives the sagas (" + (open.isEmpty()
                                    ? "no order's replies show an open reservation"
                                    : "reserved and never committed or released by " + open) + ")",
                            "reserved 0", "reserved " + stock.getReserved()));
                }
                if (stock.getOnHand() < 0) {
                    violations.add(Violation.of(sku, null, "onHand is negative", "onHand >= 0",
                            "onHand " + stock.getOnHand()));
                }
                long reserved = Inventory.reserved(stock);
                if (reserved > stock.getOnHand()) {
                    violations.add(Violation.of(sku, null, "more reserved than on hand (oversold)",
                            "reserved <= onHand " + stock.getOnHand(), "reserved " + reserved));
                }
            }
            checkInventoryReplies(violations);
            return InvariantResult.of(Invariant.STOCK, skus.size(), violations);
        }

        /** Per sku, the orders whose replies show a reservation that was neither committed nor released. */
        private Map<String, Set<String>> openReservationsBySku() {
            Map<String, Map<String, Set<InventoryReplyType>>> bySku = new HashMap<>();
            for (Output<InventoryReply> record : log.inventoryReplies()) {
                InventoryReply reply = record.value();
                bySku.computeIfAbsent(reply.getSku(), k -> new TreeMap<>())
                        .computeIfAbsent(reply.getOrderId(), k -> new HashSet<>()).add(reply.getType());
            }
            Map<String, Set<String>> open = new HashMap<>();
            bySku.forEach((sku, orders) -> orders.forEach((orderId, seen) -> {
                if (seen.contains(InventoryReplyType.RESERVED) && !seen.contains(InventoryReplyType.COMMITTED)
                        && !seen.contains(InventoryReplyType.RELEASED)) {
                    open.computeIfAbsent(sku, k -> new TreeSet<>()).add(orderId);
                }
            }));
            return open;
        }

        /** Per order line: a reservation ends committed or released; committed lines match the final status. */
        private void checkInventoryReplies(List<Violation> violations) {
            Map<String, Map<String, Set<InventoryReplyType>>> byOrder = new LinkedHashMap<>();
            Map<String, Output<InventoryReply>> firstById = new HashMap<>();
            for (Output<InventoryReply> record : log.inventoryReplies()) {
                InventoryReply reply = record.value();
                Output<InventoryReply> first = firstById.putIfAbsent(reply.getEventId(), record);
                if (first != null) {
                    if (!first.value().equals(reply)) {
                        violations.add(Violation.of(reply.getOrderId(), record.at(), "two different replies share "
                                + "eventId " + reply.getEventId(), first.value(), reply));
                    }
                    continue;
                }
                byOrder.computeIfAbsent(reply.getOrderId(), k -> new TreeMap<>())
                        .computeIfAbsent(reply.getSku(), k -> new HashSet<>()).add(reply.getType());
            }
            for (Map.Entry<String, Map<String, Set<InventoryReplyType>>> order
                    : byOrder.entrySet()) {
                String orderId = order.getKey();
                OrderStatus finalStatus = finalStatus(orderId);
                for (Map.Entry<String, Set<InventoryReplyType>> line
                        : order.getValue().entrySet()) {
                    Set<InventoryReplyType> seen = line.getValue();
                    boolean reserved = seen.contains(InventoryReplyType.RESERVED);
                    boolean committed = seen.contains(InventoryReplyType.COMMITTED);
                    boolean released = seen.contains(InventoryReplyType.RELEASED);
                    String where = "order " + orderId + ", sku " + line.getKey() + ", order is " + finalStatus;
                    if (reserved && !committed && !released) {
                        violations.add(Violation.of(orderId, null, "reservation never committed or released ("
                                + where + ")", "COMMITTED or RELEASED", seen));
                    }
                    if (committed && !reachedConfirmed(orderId)) {
                        violations.add(Violation.of(orderId, null, "line committed but the order never confirmed ("
                                + where + ")", "no COMMITTED", seen));
                    }
                    if (committed && finalStatus == OrderStatus.CANCELLED && !released) {
                        violations.add(Violation.of(orderId, null, "cancelled after confirmation but the line was "
                                + "not restocked (" + where + ")", "RELEASED", seen));
                    }
                    if (finalStatus == OrderStatus.CONFIRMED && (!committed || released)) {
                        violations.add(Violation.of(orderId, null, "confirmed order's line is not committed ("
                                + where + ")", "COMMITTED and not RELEASED", seen));
                    }
                }
            }
            for (Map.Entry<String, List<Output<OrderStatusChanged>>> order : history.entrySet()) {
                OrderStatusChanged finalStatus = last(order.getValue()).value();
                if (finalStatus.getStatus() != OrderStatus.CONFIRMED) {
                    continue;
                }
                Map<String, Set<InventoryReplyType>> lines =
                        byOrder.getOrDefault(order.getKey(), Map.of());
                for (OrderLine line : finalStatus.getLines()) {
                    if (!lines.containsKey(line.getSku())) {
                        violations.add(Violation.of(order.getKey(), last(order.getValue()).at(), "confirmed order "
                                + "has no inventory reply for sku " + line.getSku(), "RESERVED and COMMITTED",
                                "no reply"));
                    }
                }
            }
        }

        // ---- 4. money ---------------------------------------------------------------------------------------

        private InvariantResult money() {
            List<Violation> violations = new ArrayList<>();
            Map<String, Long> deposited = new TreeMap<>();
            for (Ingress<FundsDeposited> deposit : appliedDeposits) {
                deposited.merge(deposit.value().getCustomerId(), deposit.value().getAmount(), Long::sum);
            }
            Map<String, Long> captured = new TreeMap<>();
            Map<String, Long> refunded = new TreeMap<>();
            Map<String, OrderPayments> payments = new LinkedHashMap<>();
            Map<String, Output<PaymentReply>> firstById = new HashMap<>();
            for (Output<PaymentReply> record : log.paymentReplies()) {
                PaymentReply reply = record.value();
                Output<PaymentReply> first = firstById.putIfAbsent(reply.getEventId(), record);
                if (first != null) {
                    if (!first.value().equals(reply)) {
                        violations.add(Violation.of(reply.getOrderId(), record.at(), "two different replies share "
                                + "eventId " + reply.getEventId(), first.value(), reply));
                    }
                    continue; // a replayed command replies with the same eventId
                }
                OrderPayments order = payments.computeIfAbsent(reply.getOrderId(),
                        k -> new OrderPayments(reply.getCustomerId()));
                switch (reply.getType()) {
                    case AUTHORIZED -> order.authorized = true;
                    case DECLINED -> { } // nothing held, nothing to settle
                    case CAPTURED -> {
                        order.captures.add(record);
                        captured.merge(reply.getCustomerId(), reply.getAmount(), Long::sum);
                    }
                    case VOIDED -> order.voided = true;
                    case REFUNDED -> {
                        order.refunds.add(record);
                        refunded.merge(reply.getCustomerId(), reply.getAmount(), Long::sum);
                    }
                    default -> throw new IllegalStateException("unknown payment reply type " + reply.getType());
                }
            }
            Map<String, Set<String>> openHolds = openHoldsByCustomer(payments);
            Set<String> customers = new TreeSet<>(deposited.keySet());
            customers.addAll(captured.keySet());
            customers.addAll(refunded.keySet());
            customers.addAll(log.accounts().keySet());
            for (String customer : customers) {
                long d = deposited.getOrDefault(customer, 0L);
                long c = captured.getOrDefault(customer, 0L);
                long r = refunded.getOrDefault(customer, 0L);
                long expected = d - c + r;
                String formula = "balance " + expected + " (deposits " + d + " - captured " + c + " + refunded "
                        + r + ")";
                Account account = log.accounts().get(customer);
                if (account == null) {
                    if (expected != 0 || deposited.containsKey(customer)) {
                        violations.add(Violation.of(customer, null, "no entry in " + StoreNames.PAYMENT_ACCOUNTS,
                                formula, "no account"));
                    }
                    continue;
                }
                if (account.getBalance() != expected) {
                    violations.add(Violation.of(customer, null, "final balance differs from deposits - captured + "
                            + "refunded", formula, "balance " + account.getBalance()));
                }
                for (Map.Entry<String, Long> hold : new TreeMap<>(account.getHolds()).entrySet()) {
                    violations.add(Violation.of(customer, null, "hold for order " + hold.getKey()
                                    + " outlives its saga (order is " + finalStatus(hold.getKey()) + ")", "no hold",
                            hold.getValue() + " held for " + hold.getKey()));
                }
                if (account.getHeld() != 0) {
                    Set<String> open = openHolds.getOrDefault(customer, Set.of());
                    violations.add(Violation.of(customer, null, "a held total outlives the sagas (" + (open.isEmpty()
                                    ? "no order's replies show an open hold"
                                    : "authorized and never captured or voided for " + open) + ")",
                            "held 0", "held " + account.getHeld()));
                }
                if (account.getBalance() < 0) {
                    violations.add(Violation.of(customer, null, "balance is negative", "balance >= 0",
                            "balance " + account.getBalance()));
                }
                if (Ledger.held(account) > account.getBalance()) {
                    violations.add(Violation.of(customer, null, "more held than the balance",
                            "held <= balance " + account.getBalance(), "held " + Ledger.held(account)));
                }
            }
            checkOrderPayments(payments, violations);
            return InvariantResult.of(Invariant.MONEY, customers.size(), violations);
        }

        /** Per customer, the orders whose replies show an authorization that was neither captured nor voided. */
        private static Map<String, Set<String>> openHoldsByCustomer(Map<String, OrderPayments> payments) {
            Map<String, Set<String>> open = new HashMap<>();
            payments.forEach((orderId, order) -> {
                if (order.authorized && order.captures.isEmpty() && !order.voided) {
                    open.computeIfAbsent(order.customerId, k -> new TreeSet<>()).add(orderId);
                }
            });
            return open;
        }

        private void checkOrderPayments(Map<String, OrderPayments> payments, List<Violation> violations) {
            Set<String> orders = new TreeSet<>(payments.keySet());
            for (Map.Entry<String, List<Output<OrderStatusChanged>>> order : history.entrySet()) {
                if (reachedConfirmed(order.getKey())) {
                    orders.add(order.getKey());
                }
            }
            for (String orderId : orders) {
                OrderPayments order = payments.getOrDefault(orderId, new OrderPayments(null));
                boolean confirmed = reachedConfirmed(orderId);
                OrderStatus finalStatus = finalStatus(orderId);
                boolean refundExpected = confirmed && finalStatus == OrderStatus.CANCELLED;
                if (order.captures.size() > 1) {
                    violations.add(Violation.of(orderId, order.captures.get(1).at(), "order captured more than once "
                            + "(customer " + order.customerId + ")", "1 capture", order.captures.size() + " captures"));
                }
                if (confirmed && order.captures.isEmpty()) {
                    violations.add(Violation.of(orderId, null, "confirmed order was never captured", "CAPTURED",
                            "no capture"));
                }
                if (!confirmed && !order.captures.isEmpty()) {
                    violations.add(Violation.of(orderId, order.captures.get(0).at(), "order captured but never "
                            + "confirmed (customer " + order.customerId + ")", "no capture",
                            "captured, order is " + finalStatus));
                }
                if (!order.captures.isEmpty() && confirmed) {
                    long total = total(orderId);
                    long amount = order.captures.get(0).value().getAmount();
                    if (amount != total) {
                        violations.add(Violation.of(orderId, order.captures.get(0).at(), "captured amount differs "
                                + "from the order total", total, amount));
                    }
                }
                if (order.refunds.size() > 1) {
                    violations.add(Violation.of(orderId, order.refunds.get(1).at(), "order refunded more than once",
                            "1 refund", order.refunds.size() + " refunds"));
                }
                if (refundExpected && order.refunds.isEmpty()) {
                    violations.add(Violation.of(orderId, null, "order cancelled after confirmation was never "
                            + "refunded", "REFUNDED", "no refund"));
                }
                if (!refundExpected && !order.refunds.isEmpty()) {
                    violations.add(Violation.of(orderId, order.refunds.get(0).at(), "order refunded but not "
                            + "cancelled after confirmation", "no refund", "refunded, order is " + finalStatus));
                }
                if (order.authorized && order.captures.isEmpty() && !order.voided) {
                    violations.add(Violation.of(orderId, null, "authorization neither captured nor voided (customer "
                            + order.customerId + ", order is " + finalStatus + ")", "CAPTURED or VOIDED",
                            "AUTHORIZED only"));
                }
            }
        }

        /** What the ledger replied for one order, replies de-duplicated by eventId. */
        private static final class OrderPayments {
            private final String customerId;
            private final List<Output<PaymentReply>> captures = new ArrayList<>(1);
            private final List<Output<PaymentReply>> refunds = new ArrayList<>(1);
            private boolean authorized;
            private boolean voided;

            OrderPayments(String customerId) {
                this.customerId = customerId;
            }
        }

        // ---- 5. read models ---------------------------------------------------------------------------------

        private InvariantResult readModels() {
            List<Violation> violations = new ArrayList<>();
            Map<String, OrderView> expectedOrders = new TreeMap<>();
            Map<String, CustomerOrders> expectedCustomers = new TreeMap<>();
            // customerId → partition → orderIds in the order their first status arrived (what feeds "recent")
            Map<String, Map<Integer, List<String>>> firstStatuses = new HashMap<>();
            for (Output<OrderStatusChanged> record : log.statuses()) {
                OrderStatusChanged change = record.value();
                expectedOrders.put(change.getOrderId(), Views.order(expectedOrders.get(change.getOrderId()), change));
                expectedCustomers.put(change.getCustomerId(),
                        Views.customer(expectedCustomers.get(change.getCustomerId()), change));
                if (change.getPreviousStatus() == null) {
                    firstStatuses.computeIfAbsent(change.getCustomerId(), k -> new TreeMap<>())
                            .computeIfAbsent(record.at().partition(), k -> new ArrayList<>()).add(change.getOrderId());
                }
            }
            // An ended order's view is deleted a retention after it ended (saga.retention): a tombstone as the
            // last word on an ended order is that purge; on an order still running it is a loss.
            Map<String, OrderView> kept = new TreeMap<>(expectedOrders);
            for (String orderId : log.purgedOrderViews()) {
                OrderView expected = kept.get(orderId);
                if (expected != null && isTerminal(expected.getStatus())) {
                    kept.remove(orderId);
                } else if (expected != null) {
                    violations.add(Violation.of(orderId, null, StoreNames.ORDERS_VIEW + " deleted an order that "
                            + "has not ended", "an entry until the order is CONFIRMED or CANCELLED",
                            "deleted at " + expected.getStatus()));
                    kept.remove(orderId);
                }
            }
            compareViews(StoreNames.ORDERS_VIEW, kept, log.orderViews(), violations);
            for (Map.Entry<String, CustomerOrders> entry : expectedCustomers.entrySet()) {
                String customer = entry.getKey();
                CustomerOrders found = log.customerOrders().get(customer);
                Map<Integer, List<String>> partitions = firstStatuses.getOrDefault(customer, Map.of());
                if (found == null || partitions.size() <= 1) {
                    compareView(StoreNames.CUSTOMER_ORDERS_VIEW, customer, entry.getValue(), found, violations);
                } else {
                    // Across partitions the interleaving is not fixed: compare what is order-independent exactly,
                    // and require the recent list to be the newest orders of some interleaving.
                    CustomerOrders expected = CustomerOrders.newBuilder(entry.getValue())
                            .setRecentOrderIds(found.getRecentOrderIds()).build();
                    compareView(StoreNames.CUSTOMER_ORDERS_VIEW, customer, expected, found, violations);
                    String problem = recentProblem(found.getRecentOrderIds(), partitions);
                    if (problem != null) {
                        violations.add(Violation.of(customer, null, StoreNames.CUSTOMER_ORDERS_VIEW + " recentOrderIds "
                                + problem, "the newest " + Views.RECENT_ORDERS + " orders", found.getRecentOrderIds()));
                    }
                }
            }
            for (String customer : new TreeSet<>(log.customerOrders().keySet())) {
                if (!expectedCustomers.containsKey(customer)) {
                    violations.add(Violation.of(customer, null, StoreNames.CUSTOMER_ORDERS_VIEW + " has an entry "
                            + "no status record explains", "no entry", log.customerOrders().get(customer)));
                }
            }
            return InvariantResult.of(Invariant.READ_MODELS, expectedOrders.size() + expectedCustomers.size(),
                    violations);
        }

        private static <V extends SpecificRecord> void compareViews(String store, Map<String, V> expected,
                                                                    Map<String, V> found, List<Violation> violations) {
            for (Map.Entry<String, V> entry : expected.entrySet()) {
                compareView(store, entry.getKey(), entry.getValue(), found.get(entry.getKey()), violations);
            }
            for (String key : new TreeSet<>(found.keySet())) {
                if (!expected.containsKey(key)) {
                    violations.add(Violation.of(key, null, store + " has an entry no status record explains",
                            "no entry", abbreviate(String.valueOf(found.get(key)))));
                }
            }
        }

        private static void compareView(String store, String key, SpecificRecord expected, SpecificRecord found,
                                        List<Violation> violations) {
            if (found == null) {
                violations.add(Violation.of(key, null, store + " lacks an entry the replay of "
                        + Topics.ORDER_STATUS + " gives", abbreviate(String.valueOf(expected)), "no entry"));
                return;
            }
            if (expected.equals(found)) {
                return;
            }
            StringBuilder want = new StringBuilder();
            StringBuilder got = new StringBuilder();
            for (Schema.Field field : expected.getSchema().getFields()) {
                Object e = expected.get(field.pos());
                Object f = found.get(field.pos());
                if (!Objects.equals(e, f)) {
                    want.append(want.isEmpty() ? "" : ", ").append(field.name()).append('=').append(e);
                    got.append(got.isEmpty() ? "" : ", ").append(field.name()).append('=').append(f);
                }
            }
            violations.add(Violation.of(key, null, store + " differs from the replay of " + Topics.ORDER_STATUS,
                    abbreviate(want.isEmpty() ? String.valueOf(expected) : want.toString()),
                    abbreviate(got.isEmpty() ? String.valueOf(found) : got.toString())));
        }

        /**
         * Null when {@code recent} (newest first) is the newest {@link Views#RECENT_ORDERS} orders of some
         * interleaving of the partitions' sequences: per partition, the ids it contributes must be that
         * partition's newest ids, newest first.
         */
        private static String recentProblem(List<String> recent, Map<Integer, List<String>> partitions) {
            int total = partitions.values().stream().mapToInt(List::size).sum();
            int expectedSize = Math.min(Views.RECENT_ORDERS, total);
            if (recent.size() != expectedSize) {
                return "has " + recent.size() + " ids, expected " + expectedSize;
            }
            Map<String, Integer> partitionOf = new HashMap<>();
            partitions.forEach((partition, ids) -> ids.forEach(id -> partitionOf.put(id, partition)));
            Map<Integer, Integer> taken = new HashMap<>();
            for (String id : recent) {
                Integer partition = partitionOf.get(id);
                if (partition == null) {
                    return "names order " + id + " that is not this customer's";
                }
                List<String> ids = partitions.get(partition);
                int k = taken.merge(partition, 1, Integer::sum);
                if (k > ids.size() || !ids.get(ids.size() - k).equals(id)) {
                    return "is not newest-first at order " + id;
                }
            }
            return null;
        }

        // ---- unreadable outputs -----------------------------------------------------------------------------

        private InvariantResult unreadableOutput() {
            List<Violation> violations = new ArrayList<>();
            for (EventLog.Unreadable record : log.unreadableOutputs()) {
                violations.add(Violation.of(record.key() == null ? record.at().topic() : record.key(), record.at(),
                        "output record cannot be read: " + abbreviate(String.valueOf(record.problem())), "a readable record", "unreadable"));
            }
            int outputs = log.statuses().size() + log.paymentReplies().size() + log.inventoryReplies().size()
                    + log.deadLetters().size() + log.unreadableOutputs().size();
            return InvariantResult.of(Invariant.UNREADABLE_OUTPUT, outputs, violations);
        }

        // ---- helpers ----------------------------------------------------------------------------------------

        private OrderStatus finalStatus(String orderId) {
            List<Output<OrderStatusChanged>> kept = history.get(orderId);
            return kept == null ? null : last(kept).value().getStatus();
        }

        private boolean reachedConfirmed(String orderId) {
            List<Output<OrderStatusChanged>> kept = history.get(orderId);
            return kept != null && kept.stream().anyMatch(r -> r.value().getStatus() == OrderStatus.CONFIRMED);
        }

        private long total(String orderId) {
            return last(history.get(orderId)).value().getTotal();
        }

        private static <T> T last(List<T> list) {
            return list.get(list.size() - 1);
        }

        private static boolean isTerminal(OrderStatus status) {
            return status == OrderStatus.CONFIRMED || status == OrderStatus.CANCELLED;
        }

        private static String abbreviate(String s) {
            return Text.abbreviate(s.replaceAll("\\s+", " "), 300);
        }
    }
}
