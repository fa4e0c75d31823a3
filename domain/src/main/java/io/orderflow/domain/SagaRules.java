package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.contracts.state.PaymentStep;
import io.orderflow.contracts.state.SagaLine;
import io.orderflow.contracts.state.SagaState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The order saga as a pure state machine: given where an order stands and one input (placement, a reply, a
 * cancellation request, a passed deadline) it decides the next state, the commands and the status changes.
 *
 * <pre>
 * PLACED → AWAITING: Authorize(total) and one Reserve per line, in parallel
 * AWAITING, all lines Reserved and Authorized → CONFIRMED: Capture and one Commit per line
 * AWAITING, any Rejected/Declined, the deadline, or a cancel → COMPENSATING: Release reserved lines, Void a hold
 * COMPENSATING, every compensation acknowledged → CANCELLED(reason)
 * CONFIRMED, cancel → COMPENSATING: Refund and Release (restock) every line → CANCELLED(CUSTOMER)
 * a grant arriving after the saga gave up (Reserved/Authorized while COMPENSATING or CANCELLED) → released at once
 * </pre>
 *
 * Replies that do not match the step a line or the payment is in are duplicates and change nothing. States are
 * never mutated in place: each call works on a copy.
 */
public final class SagaRules {
    private final long timeoutMillis;

    public SagaRules(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("saga.timeout must be > 0, was " + timeout);
        }
        this.timeoutMillis = timeout.toMillis();
    }

    /** {@link #place(String, OrderPlaced, long, long)} when the order is placed and processed at {@code now}. */
    public SagaStep place(String orderId, OrderPlaced placed, long now) {
        return place(orderId, placed, now, now);
    }

    /**
     * A new order: PLACED then AWAITING with the fan-out, or PLACED then CANCELLED(INVALID_ORDER).
     *
     * @param placedAt when the order was placed (the event's timestamp)
     * @param now      when the saga processes it; the deadline runs from here, so a backlog processed late
     *                 (after an outage, a replay) is not timed out for time it spent waiting in the topic
     */
    public SagaStep place(String orderId, OrderPlaced placed, long placedAt, long now) {
        List<SagaLine> lines = new ArrayList<>(placed.getLines().size());
        for (OrderLine line : placed.getLines()) {
            lines.add(new SagaLine(OrderLine.newBuilder(line).build(), LineStep.NONE));
        }
        long total = Math.max(0, OrderValidation.total(placed.getLines()));
        SagaState state = SagaState.newBuilder()
                .setOrderId(orderId)
                .setCustomerId(placed.getCustomerId())
                .setCurrency(placed.getCurrency())
                .setTotal(total)
                .setStatus(OrderStatus.PLACED)
                .setReason(null)
                .setVersion(0)
                .setPlacedAt(placedAt)
                .setDeadline(now + timeoutMillis)
                .setPayment(PaymentStep.NONE)
                .setLines(lines)
                .setNote(OrderValidation.noteProblem(placed.getNote()) == null ? placed.getNote() : null)
                .build();
        Change change = new Change(state, now);
        change.status(OrderStatus.PLACED, null);
        if (OrderValidation.problem(placed) != null) {
            change.status(OrderStatus.CANCELLED, CancelReason.INVALID_ORDER);
            return change.step();
        }
        change.status(OrderStatus.AWAITING, null);
        change.pay(PaymentCommandType.AUTHORIZE, PaymentStep.AUTHORIZING);
        for (SagaLine line : state.getLines()) {
            change.stock(line, InventoryCommandType.RESERVE, LineStep.RESERVING);
        }
        return change.step();
    }

    public SagaStep cancel(SagaState current, long now) {
        Change change = new Change(copy(current), now);
        SagaState s = change.state;
        switch (s.getStatus()) {
            case AWAITING -> change.compensate(CancelReason.CUSTOMER);
            case CONFIRMED -> {
                change.status(OrderStatus.COMPENSATING, CancelReason.CUSTOMER);
                if (s.getPayment() == PaymentStep.CAPTURING || s.getPayment() == PaymentStep.CAPTURED) {
                    change.pay(PaymentCommandType.REFUND, PaymentStep.REFUNDING);
                }
                for (SagaLine line : s.getLines()) {
                    if (line.getStep() == LineStep.COMMITTING || line.getStep() == LineStep.COMMITTED) {
                        change.stock(line, InventoryCommandType.RELEASE, LineStep.RELEASING);
                    }
                }
                change.finishIfCompensated();
            }
            default -> {
                return SagaStep.unchanged(current);
            }
        }
        return change.step();
    }

    public SagaStep paymentReply(SagaState current, PaymentReply reply, long now) {
        Change change = new Change(copy(current), now);
        SagaState s = change.state;
        PaymentStep step = s.getPayment();
        switch (reply.getType()) {
            case AUTHORIZED -> {
                if (step != PaymentStep.AUTHORIZING) {
                    return SagaStep.unchanged(current);
                }
                if (s.getStatus() == OrderStatus.AWAITING) {
                    s.setPayment(PaymentStep.AUTHORIZED);
                    change.confirmIfComplete();
                } else {
                    // The saga already gave up: a hold granted now must not outlive it.
                    change.pay(PaymentCommandType.VOID, PaymentStep.VOIDING);
                }
            }
            case DECLINED -> {
                if (step != PaymentStep.AUTHORIZING) {
                    return SagaStep.unchanged(current);
                }
                s.setPayment(PaymentStep.DECLINED);
                if (s.getStatus() == OrderStatus.AWAITING) {
                    change.compensate(reply.getReason() != null ? reply.getReason() : CancelReason.INSUFFICIENT_FUNDS);
                } else {
                    change.finishIfCompensated();
                }
            }
            case CAPTURED -> {
                if (step != PaymentStep.CAPTURING) {
                    return SagaStep.unchanged(current);
                }
                s.setPayment(PaymentStep.CAPTURED);
            }
            case VOIDED -> {
                if (step != PaymentStep.VOIDING) {
                    return SagaStep.unchanged(current);
                }
                s.setPayment(PaymentStep.VOIDED);
                change.finishIfCompensated();
            }
            case REFUNDED -> {
                if (step != PaymentStep.REFUNDING) {
                    return SagaStep.unchanged(current);
                }
                s.setPayment(PaymentStep.REFUNDED);
                change.finishIfCompensated();
            }
            default -> throw new IllegalStateException("unhandled payment reply " + reply.getType());
        }
        return change.step();
    }

    public SagaStep inventoryReply(SagaState current, InventoryReply reply, long now) {
        int index = lineIndex(current, reply.getSku());
        if (index < 0) {
            return SagaStep.unchanged(current);
        }
        Change change = new Change(copy(current), now);
        SagaState s = change.state;
        SagaLine line = s.getLines().get(index);
        LineStep step = line.getStep();
        switch (reply.getType()) {
            case RESERVED -> {
                if (step != LineStep.RESERVING) {
                    return SagaStep.unchanged(current);
                }
                if (s.getStatus() == OrderStatus.AWAITING) {
                    line.setStep(LineStep.RESERVED);
                    change.confirmIfComplete();
                } else {
                    change.stock(line, InventoryCommandType.RELEASE, LineStep.RELEASING);
                }
            }
            case REJECTED -> {
                if (step != LineStep.RESERVING) {
                    return SagaStep.unchanged(current);
                }
                line.setStep(LineStep.REJECTED);
                if (s.getStatus() == OrderStatus.AWAITING) {
                    change.compensate(reply.getReason() != null ? reply.getReason() : CancelReason.OUT_OF_STOCK);
                } else {
                    change.finishIfCompensated();
                }
            }
            case COMMITTED -> {
                if (step != LineStep.COMMITTING) {
                    return SagaStep.unchanged(current);
                }
                line.setStep(LineStep.COMMITTED);
            }
            case RELEASED -> {
                if (step != LineStep.RELEASING) {
                    return SagaStep.unchanged(current);
                }
                line.setStep(LineStep.RELEASED);
                change.finishIfCompensated();
            }
            default -> throw new IllegalStateException("unhandled inventory reply " + reply.getType());
        }
        return change.step();
    }

    /** The deadline passed: an order still AWAITING is compensated with reason TIMEOUT; any other is left alone. */
    public SagaStep deadline(SagaState current, long now) {
        if (current.getStatus() != OrderStatus.AWAITING || now < current.getDeadline()) {
            return SagaStep.unchanged(current);
        }
        Change change = new Change(copy(current), now);
        change.compensate(CancelReason.TIMEOUT);
        return change.step();
    }

    /**
     * An operator ends a saga still AWAITING now: compensated as at its deadline, with reason OPERATOR (grants held
     * are given back; grants still in flight are released on arrival); who asked and why is the operator's event on
     * {@code order.events}. Any other saga is left alone: one compensating already compensates, one that ended has
     * nothing to give back that a customer's cancel would not.
     */
    public SagaStep operatorCompensate(SagaState current, long now) {
        if (current.getStatus() != OrderStatus.AWAITING) {
            return SagaStep.unchanged(current);
        }
        Change change = new Change(copy(current), now);
        change.compensate(CancelReason.OPERATOR);
        return change.step();
    }

    /**
     * The commands {@code current} still waits on, built again exactly as first sent — with the same event ids, so
     * the payment and inventory services apply each at most once however often it arrives: captures and commits
     * (CAPTURING, COMMITTING), compensations (VOIDING, REFUNDING, RELEASING), and, only while the saga is AWAITING,
     * authorizations and reservations (AUTHORIZING, RESERVING; once it gave up, a grant still in flight is released
     * when it comes, and asking again would only grant what must be given back). The state does not change
     * ({@link SagaStep#changed()} is false): nothing is to be stored or published, only sent.
     */
    public SagaStep resend(SagaState current) {
        Change change = new Change(copy(current), current.getPlacedAt());
        boolean awaiting = current.getStatus() == OrderStatus.AWAITING;
        switch (current.getPayment()) {
            case AUTHORIZING -> {
                if (awaiting) {
                    change.pay(PaymentCommandType.AUTHORIZE, PaymentStep.AUTHORIZING);
                }
            }
            case CAPTURING -> change.pay(PaymentCommandType.CAPTURE, PaymentStep.CAPTURING);
            case VOIDING -> change.pay(PaymentCommandType.VOID, PaymentStep.VOIDING);
            case REFUNDING -> change.pay(PaymentCommandType.REFUND, PaymentStep.REFUNDING);
            default -> {
            }
        }
        for (SagaLine line : change.state.getLines()) {
            switch (line.getStep()) {
                case RESERVING -> {
                    if (awaiting) {
                        change.stock(line, InventoryCommandType.RESERVE, LineStep.RESERVING);
                    }
                }
                case COMMITTING -> change.stock(line, InventoryCommandType.COMMIT, LineStep.COMMITTING);
                case RELEASING -> change.stock(line, InventoryCommandType.RELEASE, LineStep.RELEASING);
                default -> {
                }
            }
        }
        SagaStep step = change.step();
        return new SagaStep(current, false, step.paymentCommands(), step.inventoryCommands(), List.of());
    }

    public static boolean isTerminal(OrderStatus status) {
        return status == OrderStatus.CONFIRMED || status == OrderStatus.CANCELLED;
    }

    private static int lineIndex(SagaState state, String sku) {
        List<SagaLine> lines = state.getLines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).getLine().getSku().equals(sku)) {
                return i;
            }
        }
        return -1;
    }

    private static SagaState copy(SagaState state) {
        return SagaState.newBuilder(state).build();
    }

    /** Accumulates one step's effects on a private copy of the state. */
    private static final class Change {
        private final SagaState state;
        private final long now;
        private final List<PaymentCommand> payments = new ArrayList<>(2);
        private final List<InventoryCommand> stock = new ArrayList<>();
        private final List<OrderStatusChanged> statuses = new ArrayList<>(2);

        Change(SagaState state, long now) {
            this.state = state;
            this.now = now;
        }

        void status(OrderStatus status, CancelReason reason) {
            OrderStatus previous = state.getVersion() == 0 ? null : state.getStatus();
            int version = state.getVersion() + 1;
            state.setVersion(version);
            state.setStatus(status);
            if (reason != null) {
                state.setReason(reason);
            }
            statuses.add(OrderStatusChanged.newBuilder()
                    .setEventId(state.getOrderId() + ":v" + version)
                    .setOrderId(state.getOrderId())
                    .setCustomerId(state.getCustomerId())
                    .setStatus(status)
                    .setPreviousStatus(previous)
                    .setReason(state.getReason())
                    .setVersion(version)
                    .setTotal(state.getTotal())
                    .setCurrency(state.getCurrency())
                    .setLines(orderLines())
                    .setPlacedAt(state.getPlacedAt())
                    .setChangedAt(now)
                    .setNote(state.getNote())
                    .build());
        }

        void pay(PaymentCommandType type, PaymentStep next) {
            state.setPayment(next);
            payments.add(PaymentCommand.newBuilder()
                    .setEventId(state.getOrderId() + ":" + type.name().toLowerCase())
                    .setOrderId(state.getOrderId())
                    .setCustomerId(state.getCustomerId())
                    .setType(type)
                    .setAmount(state.getTotal())
                    .setCurrency(state.getCurrency())
                    .build());
        }

        void stock(SagaLine line, InventoryCommandType type, LineStep next) {
            line.setStep(next);
            stock.add(InventoryCommand.newBuilder()
                    .setEventId(state.getOrderId() + ":" + type.name().toLowerCase() + ":" + line.getLine().getSku())
                    .setOrderId(state.getOrderId())
                    .setSku(line.getLine().getSku())
                    .setType(type)
                    .setQuantity(line.getLine().getQuantity())
                    .build());
        }

        void confirmIfComplete() {
            if (state.getPayment() != PaymentStep.AUTHORIZED) {
                return;
            }
            for (SagaLine line : state.getLines()) {
                if (line.getStep() != LineStep.RESERVED) {
                    return;
                }
            }
            status(OrderStatus.CONFIRMED, null);
            pay(PaymentCommandType.CAPTURE, PaymentStep.CAPTURING);
            for (SagaLine line : state.getLines()) {
                stock(line, InventoryCommandType.COMMIT, LineStep.COMMITTING);
            }
        }

        /** From AWAITING: give back every grant already held; grants still in flight are released on arrival. */
        void compensate(CancelReason reason) {
            status(OrderStatus.COMPENSATING, reason);
            for (SagaLine line : state.getLines()) {
                if (line.getStep() == LineStep.RESERVED) {
                    stock(line, InventoryCommandType.RELEASE, LineStep.RELEASING);
                }
            }
            if (state.getPayment() == PaymentStep.AUTHORIZED) {
                pay(PaymentCommandType.VOID, PaymentStep.VOIDING);
            }
            finishIfCompensated();
        }

        /** COMPENSATING ends in CANCELLED once no compensation is still unacknowledged. */
        void finishIfCompensated() {
            if (state.getStatus() != OrderStatus.COMPENSATING) {
                return;
            }
            PaymentStep payment = state.getPayment();
            if (payment == PaymentStep.VOIDING || payment == PaymentStep.REFUNDING) {
                return;
            }
            for (SagaLine line : state.getLines()) {
                if (line.getStep() == LineStep.RELEASING) {
                    return;
                }
            }
            status(OrderStatus.CANCELLED, null);
        }

        private List<OrderLine> orderLines() {
            List<OrderLine> lines = new ArrayList<>(state.getLines().size());
            for (SagaLine line : state.getLines()) {
                lines.add(line.getLine());
            }
            return lines;
        }

        SagaStep step() {
            return new SagaStep(state, true, List.copyOf(payments), List.copyOf(stock), List.copyOf(statuses));
        }
    }
}
