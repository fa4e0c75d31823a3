package io.orderflow.devtools.chaos;

import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.invariants.EventLog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The intake's promise, checked at rest: every order it acknowledged (202) is in its own table, and every order in
 * its table is on {@code order.events} exactly once (none lost in the outbox, none duplicated by a Connect worker
 * that crashed mid-transaction) and reaches exactly one terminal status; every cancellation it acknowledged is on
 * {@code order.events} once.
 *
 * @param acknowledged      orders the intake answered 202 for
 * @param inTable           orders in the intake's {@code orders} table
 * @param lostByIntake      acknowledged, but not in its table
 * @param lostInOutbox      in its table, never on {@code order.events}
 * @param duplicated        in its table, on {@code order.events} more than once
 * @param notTerminal       in its table, whose last status is not terminal
 * @param terminalTwice     in its table, CONFIRMED twice or CANCELLED twice (CANCELLED after CONFIRMED is a
 *                          customer's cancellation of a confirmed order, and allowed)
 * @param cancels           cancellations acknowledged
 * @param cancelsMismatched orders whose cancellations on {@code order.events} are not the ones acknowledged
 */
record IntakeReconciliation(int acknowledged, int inTable, Set<String> lostByIntake, Set<String> lostInOutbox,
                            Set<String> duplicated, Set<String> notTerminal, Set<String> terminalTwice, int cancels,
                            Set<String> cancelsMismatched) {
    private static final int SHOWN = 5;

    /**
     * @param placed     the intake's order ids it answered 202 for
     * @param cancelKeys the Idempotency-Key of every cancellation it answered 202 for, to its order id
     * @param table      its {@code orders} table: order id to status
     * @param log        the topics, as the verifier read them
     */
    static IntakeReconciliation reconcile(Set<String> placed, Map<String, String> cancelKeys,
                                          Map<String, String> table, EventLog log) {
        Map<String, Integer> placements = new HashMap<>();
        Map<String, Integer> cancellations = new HashMap<>();
        for (EventLog.Ingress<OrderEvent> event : log.orderEvents()) {
            if (event.value() == null || !table.containsKey(event.value().getOrderId())) {
                continue;
            }
            String orderId = event.value().getOrderId();
            if (event.value().getEvent() instanceof OrderPlaced) {
                placements.merge(orderId, 1, Integer::sum);
            } else if (event.value().getEvent() instanceof OrderCancelRequested) {
                cancellations.merge(orderId, 1, Integer::sum);
            }
        }
        // A confirmed order the customer cancels ends CANCELLED after CONFIRMED: one outcome, then another. What
        // may not happen is the same outcome twice, or no outcome at all.
        Map<String, Integer> confirmed = new HashMap<>();
        Map<String, Integer> cancelled = new HashMap<>();
        Map<String, OrderStatusChanged> last = new HashMap<>();
        for (EventLog.Output<OrderStatusChanged> status : log.statuses()) {
            OrderStatusChanged change = status.value();
            if (change == null || !table.containsKey(change.getOrderId())) {
                continue;
            }
            last.merge(change.getOrderId(), change, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
            if (change.getStatus() == OrderStatus.CONFIRMED) {
                confirmed.merge(change.getOrderId(), 1, Integer::sum);
            } else if (change.getStatus() == OrderStatus.CANCELLED) {
                cancelled.merge(change.getOrderId(), 1, Integer::sum);
            }
        }
        Map<String, Integer> acknowledgedCancels = new HashMap<>();
        cancelKeys.values().forEach(orderId -> acknowledgedCancels.merge(orderId, 1, Integer::sum));

        Set<String> lostByIntake = new TreeSet<>();
        placed.stream().filter(id -> !table.containsKey(id)).forEach(lostByIntake::add);
        Set<String> lostInOutbox = new TreeSet<>();
        Set<String> duplicated = new TreeSet<>();
        Set<String> notTerminal = new TreeSet<>();
        Set<String> terminalTwice = new TreeSet<>();
        Set<String> cancelsMismatched = new TreeSet<>();
        for (String orderId : table.keySet()) {
            int onTopic = placements.getOrDefault(orderId, 0);
            if (onTopic == 0) {
                lostInOutbox.add(orderId);
            } else if (onTopic > 1) {
                duplicated.add(orderId);
            }
            OrderStatusChanged latest = last.get(orderId);
            if (latest == null || (latest.getStatus() != OrderStatus.CONFIRMED
                    && latest.getStatus() != OrderStatus.CANCELLED)) {
                notTerminal.add(orderId);
            }
            if (confirmed.getOrDefault(orderId, 0) > 1 || cancelled.getOrDefault(orderId, 0) > 1) {
                terminalTwice.add(orderId);
            }
            if (!cancellations.getOrDefault(orderId, 0).equals(acknowledgedCancels.getOrDefault(orderId, 0))) {
                cancelsMismatched.add(orderId);
            }
        }
        return new IntakeReconciliation(placed.size(), table.size(), lostByIntake, lostInOutbox, duplicated,
                notTerminal, terminalTwice, cancelKeys.size(), cancelsMismatched);
    }

    boolean ok() {
        return lostByIntake.isEmpty() && lostInOutbox.isEmpty() && duplicated.isEmpty() && notTerminal.isEmpty()
                && terminalTwice.isEmpty() && cancelsMismatched.isEmpty();
    }

    ChaosReport.Check check() {
        return new ChaosReport.Check("intake", ok(), toString());
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(acknowledged).append(" orders acknowledged (202), ").append(inTable).append(" in its table; ")
                .append(cancels).append(" cancellations acknowledged");
        if (ok()) {
            return out.append("; every order on order.events once and ending terminal, no outcome twice, "
                    + "every cancellation on order.events once").toString();
        }
        problem(out, "acknowledged but not in its table", lostByIntake);
        problem(out, "never on order.events", lostInOutbox);
        problem(out, "on order.events more than once", duplicated);
        problem(out, "no terminal status", notTerminal);
        problem(out, "the same terminal status twice", terminalTwice);
        problem(out, "cancellations on order.events != acknowledged", cancelsMismatched);
        return out.toString();
    }

    private static void problem(StringBuilder out, String what, Set<String> orders) {
        if (!orders.isEmpty()) {
            List<String> shown = orders.stream().limit(SHOWN).toList();
            out.append("; ").append(orders.size()).append(' ').append(what).append(": ")
                    .append(String.join(", ", shown)).append(orders.size() > SHOWN ? ", ..." : "");
        }
    }
}
