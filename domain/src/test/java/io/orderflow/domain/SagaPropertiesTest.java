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
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import io.orderflow.contracts.state.PaymentStep;
import io.orderflow.contracts.state.SagaLine;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.EUR;
import static io.orderflow.domain.DomainFixtures.ORDER;
import static io.orderflow.domain.DomainFixtures.order;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The saga against simulated payment and inventory services that are the real {@link Ledger} and
 * {@link Inventory} rules, seeded so that each command gets the answer the scenario picked. Replies are delivered
 * in any order, some twice; a deadline and a customer cancel may fire at any point.
 */
class SagaPropertiesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long T0 = 1_700_000_000_000L;
    /** Another order's grants sit next to ours, so "given back" means "back to exactly what was there". */
    private static final String OTHER = "other-order";
    private static final int OTHER_RESERVED = 1;
    private static final long OTHER_HOLD = 5;

    enum StockAnswer { RESERVED, OUT_OF_STOCK, UNKNOWN_SKU }

    enum PaymentAnswer { AUTHORIZED, INSUFFICIENT_FUNDS, UNKNOWN_ACCOUNT, CURRENCY_MISMATCH }

    /**
     * One run: the order, what inventory answers per line and payment answers, which pending reply is delivered
     * at each tick ({@code schedule[t] mod pending}), which deliveries are duplicated, which commands the services
     * process twice, and at which tick the deadline and a customer cancel fire (null: never; past the end: once
     * nothing is pending).
     */
    record Scenario(List<OrderLine> lines, List<StockAnswer> stockAnswers, PaymentAnswer paymentAnswer,
                    List<Integer> schedule, List<Boolean> duplicateDeliveries, List<Boolean> replayedCommands,
                    Integer deadlineAt, Integer cancelAt) {
        boolean anyRefusal() {
            return paymentAnswer != PaymentAnswer.AUTHORIZED || stockAnswers.stream()
                    .anyMatch(a -> a != StockAnswer.RESERVED);
        }
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<OrderLine> line = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'f').withChars('-', '.', ':').ofMinLength(1).ofMaxLength(3),
                Arbitraries.integers().between(1, 20),
                Arbitraries.longs().between(1, 10_000)).as(OrderLine::new);
        Arbitrary<List<OrderLine>> lines = line.list().ofMinSize(1).ofMaxSize(5).uniqueElements(OrderLine::getSku);
        Arbitrary<StockAnswer> stockAnswer = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(StockAnswer.RESERVED)),
                Tuple.of(1, Arbitraries.just(StockAnswer.OUT_OF_STOCK)),
                Tuple.of(1, Arbitraries.just(StockAnswer.UNKNOWN_SKU)));
        Arbitrary<PaymentAnswer> paymentAnswer = Arbitraries.frequencyOf(
                Tuple.of(7, Arbitraries.just(PaymentAnswer.AUTHORIZED)),
                Tuple.of(1, Arbitraries.just(PaymentAnswer.INSUFFICIENT_FUNDS)),
                Tuple.of(1, Arbitraries.just(PaymentAnswer.UNKNOWN_ACCOUNT)),
                Tuple.of(1, Arbitraries.just(PaymentAnswer.CURRENCY_MISMATCH)));
        Arbitrary<Boolean> sometimes = Arbitraries.integers().between(0, 3).map(i -> i == 0);
        return lines.flatMap(ls -> Combinators.combine(
                stockAnswer.list().ofSize(ls.size()),
                paymentAnswer,
                Arbitraries.integers().between(0, 999).list().ofMaxSize(40),
                sometimes.list().ofMaxSize(30),
                sometimes.list().ofMaxSize(20),
                Arbitraries.integers().between(0, 25).injectNull(0.5),
                Arbitraries.integers().between(0, 25).injectNull(0.6)
        ).as((stock, pay, schedule, duplicates, replays, deadline, cancel) ->
                new Scenario(ls, stock, pay, schedule, duplicates, replays, deadline, cancel)));
    }

    @Property(tries = 1000)
    void shouldEndInOneTerminalStateWithEveryGrantSettledWhateverTheServicesAnswerAndHowRepliesInterleave(
            @ForAll("scenarios") Scenario scenario) {
        // Given
        World world = new World(scenario);

        // When
        world.run();

        // Then
        world.assertQuiescentInvariants();
        Statistics.label("outcome").collect(world.outcome());
        Statistics.label("outcome").coverage(c -> {
            c.check("CONFIRMED").count(n -> n > 0);
            c.check("CANCELLED").count(n -> n > 0);
            c.check("CONFIRMED then CANCELLED").count(n -> n > 0);
        });
    }

    /** The saga plus the services it talks to, and everything needed to judge the end state. */
    private static final class World {
        private final SagaRules rules = new SagaRules(TIMEOUT);
        private final Scenario scenario;
        private final OrderPlaced placed;
        private final long total;

        private SagaState state;
        private final List<OrderStatusChanged> statuses = new ArrayList<>();
        private final List<Object> pending = new ArrayList<>();
        private long now = T0;

        private final Map<String, Stock> stocks = new HashMap<>();
        private final Map<String, Long> initialOnHand = new HashMap<>();
        private final Map<String, StockRecord> stockRecords = new HashMap<>();
        private Account account;
        private final long initialBalance;
        private PaymentRecord paymentRecord;

        private final Map<InventoryCommandType, Map<String, Integer>> inventoryCommandsSent =
                new EnumMap<>(InventoryCommandType.class);
        private final Map<PaymentCommandType, Integer> paymentCommandsSent = new EnumMap<>(PaymentCommandType.class);
        private final Map<String, Integer> commitsApplied = new HashMap<>();
        private int capturesApplied;
        private int commandsProcessed;
        private int deliveries;
        private boolean deadlineFired;
        private boolean deadlineTookEffect;
        private boolean cancelFired;
        private boolean cancelTookEffect;

        World(Scenario scenario) {
            this.scenario = scenario;
            this.placed = order(CUSTOMER, EUR, scenario.lines());
            this.total = OrderValidation.total(scenario.lines());
            for (int i = 0; i < scenario.lines().size(); i++) {
                OrderLine line = scenario.lines().get(i);
                switch (scenario.stockAnswers().get(i)) {
                    case RESERVED -> seedStock(line.getSku(), line.getQuantity() + OTHER_RESERVED);
                    case OUT_OF_STOCK -> seedStock(line.getSku(), line.getQuantity() - 1 + OTHER_RESERVED);
                    case UNKNOWN_SKU -> stocks.put(line.getSku(), null);
                }
            }
            account = switch (scenario.paymentAnswer()) {
                case AUTHORIZED -> new Account(CUSTOMER, EUR, total + OTHER_HOLD, holds(), 3L, 0L);
                case INSUFFICIENT_FUNDS -> new Account(CUSTOMER, EUR, total - 1 + OTHER_HOLD, holds(), 3L, 0L);
                case UNKNOWN_ACCOUNT -> null;
                case CURRENCY_MISMATCH -> new Account(CUSTOMER, "USD", 2 * total + OTHER_HOLD, holds(), 3L, 0L);
            };
            initialBalance = account == null ? 0 : account.getBalance();
        }

        private static Map<String, Long> holds() {
            return new HashMap<>(Map.of(OTHER, OTHER_HOLD));
        }

        private void seedStock(String sku, long onHand) {
            stocks.put(sku, new Stock(sku, onHand, new HashMap<>(Map.of(OTHER, OTHER_RESERVED)), 1L, 0L));
            initialOnHand.put(sku, onHand);
        }

        void run() {
            absorb(rules.place(ORDER, placed, now));
            assertThat(state.getStatus()).isEqualTo(OrderStatus.AWAITING);
            int tick = 0;
            while (true) {
                boolean deadlineDue = scenario.deadlineAt() != null && !deadlineFired
                        && (tick >= scenario.deadlineAt() || pending.isEmpty());
                boolean cancelDue = scenario.cancelAt() != null && !cancelFired
                        && (tick >= scenario.cancelAt() || pending.isEmpty());
                if (deadlineDue && (!cancelDue || scenario.deadlineAt() <= scenario.cancelAt())) {
                    fireDeadline();
                } else if (cancelDue) {
                    fireCancel();
                } else if (!pending.isEmpty()) {
                    int choice = tick < scenario.schedule().size() ? scenario.schedule().get(tick) : 0;
                    Object reply = pending.remove(choice % pending.size());
                    deliver(reply);
                    if (flag(scenario.duplicateDeliveries(), deliveries++)) {
                        pending.add(reply);
                    }
                } else {
                    return;
                }
                assertNothingHappensBeforeTheDeadline();
                now++;
                if (++tick > 10_000) {
                    fail("no quiescence after %d ticks; pending %s", tick, pending);
                }
            }
        }

        private static boolean flag(List<Boolean> flags, int index) {
            return index < flags.size() && flags.get(index);
        }

        private void deliver(Object reply) {
            SagaState before = state;
            SagaState copy = snapshot(before);
            SagaStep step = reply instanceof PaymentReply payment
                    ? rules.paymentReply(before, payment, now)
                    : rules.inventoryReply(before, (InventoryReply) reply, now);
            assertThat(before).as("input state after %s", reply).isEqualTo(copy);
            absorb(step);
        }

        private void fireDeadline() {
            deadlineFired = true;
            SagaState before = state;
            SagaState copy = snapshot(before);
            boolean awaiting = before.getStatus() == OrderStatus.AWAITING;
            SagaStep step = rules.deadline(before, before.getDeadline() + 1);
            assertThat(before).isEqualTo(copy);
            assertThat(step.changed()).as("deadline changes only an AWAITING saga").isEqualTo(awaiting);
            if (awaiting) {
                assertThat(step.statusChanges().get(0).getStatus()).isEqualTo(OrderStatus.COMPENSATING);
                assertThat(step.statusChanges().get(0).getReason()).isEqualTo(CancelReason.TIMEOUT);
            }
            deadlineTookEffect = awaiting;
            absorb(step);
            assertUnchanged(rules.deadline(state, state.getDeadline() + 2), "a second deadline");
        }

        private void fireCancel() {
            cancelFired = true;
            SagaState before = state;
            SagaState copy = snapshot(before);
            boolean cancellable = before.getStatus() == OrderStatus.AWAITING
                    || before.getStatus() == OrderStatus.CONFIRMED;
            SagaStep step = rules.cancel(before, now);
            assertThat(before).isEqualTo(copy);
            assertThat(step.changed()).as("cancel while %s", before.getStatus()).isEqualTo(cancellable);
            if (cancellable) {
                assertThat(step.statusChanges().get(0).getStatus()).isEqualTo(OrderStatus.COMPENSATING);
                assertThat(step.statusChanges().get(0).getReason()).isEqualTo(CancelReason.CUSTOMER);
            }
            cancelTookEffect = cancellable;
            absorb(step);
            assertUnchanged(rules.cancel(state, now), "a second cancel");
        }

        private void assertNothingHappensBeforeTheDeadline() {
            assertUnchanged(rules.deadline(state, state.getDeadline() - 1), "a deadline check before the deadline");
        }

        private void assertUnchanged(SagaStep step, String what) {
            assertThat(step.changed()).as(what).isFalse();
            assertThat(step.state()).as(what).isSameAs(state);
            assertThat(step.statusChanges()).as(what).isEmpty();
            assertThat(step.paymentCommands()).as(what).isEmpty();
            assertThat(step.inventoryCommands()).as(what).isEmpty();
        }

        private void absorb(SagaStep step) {
            if (!step.changed()) {
                assertThat(step.state()).isSameAs(state);
                assertThat(step.statusChanges()).isEmpty();
                assertThat(step.paymentCommands()).isEmpty();
                assertThat(step.inventoryCommands()).isEmpty();
                return;
            }
            state = step.state();
            statuses.addAll(step.statusChanges());
            if (step.statusChanges().stream().anyMatch(s -> s.getStatus() == OrderStatus.CANCELLED)) {
                // CANCELLED only once every compensation sent so far has been acknowledged.
                assertThat(state.getLines()).extracting(SagaLine::getStep).doesNotContain(LineStep.RELEASING);
                assertThat(state.getPayment()).isNotIn(PaymentStep.VOIDING, PaymentStep.REFUNDING);
            }
            step.paymentCommands().forEach(this::sendToLedger);
            step.inventoryCommands().forEach(this::sendToInventory);
        }

        private void sendToLedger(PaymentCommand command) {
            paymentCommandsSent.merge(command.getType(), 1, Integer::sum);
            assertThat(command.getOrderId()).isEqualTo(ORDER);
            assertThat(command.getCustomerId()).isEqualTo(CUSTOMER);
            assertThat(command.getCurrency()).isEqualTo(EUR);
            assertThat(command.getAmount()).isEqualTo(total);
            PaymentRecord recordBefore = paymentRecord;
            LedgerStep step = Ledger.apply(account, paymentRecord, command);
            assertThat(step.rejection()).as("ledger refused %s (record %s)", command, recordBefore).isNull();
            if (step.changed() && command.getType() == PaymentCommandType.CAPTURE) {
                capturesApplied++;
            }
            account = step.account();
            paymentRecord = step.record();
            pending.add(step.reply());
            if (flag(scenario.replayedCommands(), commandsProcessed++)) {
                LedgerStep again = Ledger.apply(account, paymentRecord, command);
                assertThat(again.changed()).isFalse();
                assertThat(again.account()).isSameAs(account);
                assertThat(again.reply()).isEqualTo(step.reply());
                pending.add(again.reply());
            }
        }

        private void sendToInventory(InventoryCommand command) {
            inventoryCommandsSent.computeIfAbsent(command.getType(), t -> new HashMap<>())
                    .merge(command.getSku(), 1, Integer::sum);
            assertThat(command.getOrderId()).isEqualTo(ORDER);
            OrderLine line = scenario.lines().stream().filter(l -> l.getSku().equals(command.getSku()))
                    .findFirst().orElseThrow(() -> new AssertionError("command for a sku not ordered: " + command));
            assertThat(command.getQuantity()).isEqualTo(line.getQuantity());
            String sku = command.getSku();
            StockRecord recordBefore = stockRecords.get(sku);
            StockStep step = Inventory.apply(stocks.get(sku), recordBefore, command);
            assertThat(step.rejection()).as("inventory refused %s (record %s)", command, recordBefore).isNull();
            if (step.changed() && command.getType() == InventoryCommandType.COMMIT) {
                commitsApplied.merge(sku, 1, Integer::sum);
            }
            stocks.put(sku, step.stock());
            stockRecords.put(sku, step.record());
            pending.add(step.reply());
            if (flag(scenario.replayedCommands(), commandsProcessed++)) {
                StockStep again = Inventory.apply(stocks.get(sku), stockRecords.get(sku), command);
                assertThat(again.changed()).isFalse();
                assertThat(again.stock()).isSameAs(stocks.get(sku));
                assertThat(again.reply()).isEqualTo(step.reply());
                pending.add(again.reply());
            }
        }

        String outcome() {
            boolean wasConfirmed = statuses.stream().anyMatch(s -> s.getStatus() == OrderStatus.CONFIRMED);
            if (state.getStatus() == OrderStatus.CANCELLED && wasConfirmed) {
                return "CONFIRMED then CANCELLED";
            }
            return state.getStatus().name();
        }

        void assertQuiescentInvariants() {
            assertThat(pending).isEmpty();
            assertStatusSequence();
            assertCommandsSentOnce();
            if (state.getStatus() == OrderStatus.CONFIRMED) {
                assertConfirmed();
            } else {
                assertThat(state.getStatus()).isEqualTo(OrderStatus.CANCELLED);
                assertEverythingGivenBack();
            }
            assertOutcomeFollowsFromTheScenario();
            assertReadModelsAgree();
        }

        private void assertStatusSequence() {
            assertThat(statuses).isNotEmpty();
            OrderStatus previous = null;
            for (int i = 0; i < statuses.size(); i++) {
                OrderStatusChanged change = statuses.get(i);
                assertThat(change.getVersion()).as("versions run 1..n").isEqualTo(i + 1);
                assertThat(change.getEventId()).isEqualTo(ORDER + ":v" + (i + 1));
                assertThat(change.getPreviousStatus()).isEqualTo(previous);
                assertThat(allowedNext(previous)).as("%s after %s", change.getStatus(), previous)
                        .contains(change.getStatus());
                assertThat(change.getTotal()).isEqualTo(total);
                previous = change.getStatus();
            }
            assertThat(state.getVersion()).isEqualTo(statuses.size());
            assertThat(previous).isEqualTo(state.getStatus());
            assertThat(SagaRules.isTerminal(state.getStatus())).as("terminal at quiescence").isTrue();
            OrderStatusChanged last = statuses.get(statuses.size() - 1);
            if (last.getStatus() == OrderStatus.CANCELLED) {
                OrderStatusChanged compensating = statuses.get(statuses.size() - 2);
                assertThat(last.getReason()).isNotNull().isEqualTo(compensating.getReason())
                        .isEqualTo(state.getReason());
            }
        }

        private static Set<OrderStatus> allowedNext(OrderStatus status) {
            if (status == null) {
                return EnumSet.of(OrderStatus.PLACED);
            }
            return switch (status) {
                case PLACED -> EnumSet.of(OrderStatus.AWAITING);
                case AWAITING -> EnumSet.of(OrderStatus.CONFIRMED, OrderStatus.COMPENSATING);
                case CONFIRMED -> EnumSet.of(OrderStatus.COMPENSATING);
                case COMPENSATING -> EnumSet.of(OrderStatus.CANCELLED);
                case CANCELLED -> EnumSet.noneOf(OrderStatus.class);
            };
        }

        private void assertCommandsSentOnce() {
            assertThat(paymentCommandsSent.get(PaymentCommandType.AUTHORIZE)).isEqualTo(1);
            assertThat(paymentCommandsSent.values()).allMatch(n -> n == 1);
            for (Map<String, Integer> perSku : inventoryCommandsSent.values()) {
                assertThat(perSku.values()).allMatch(n -> n == 1);
            }
            assertThat(inventoryCommandsSent.get(InventoryCommandType.RESERVE)).hasSize(scenario.lines().size());
        }

        private void assertConfirmed() {
            assertThat(capturesApplied).as("captured exactly once").isEqualTo(1);
            assertThat(paymentRecord.getState()).isEqualTo(PaymentRecordState.CAPTURED);
            assertThat(account.getBalance()).isEqualTo(initialBalance - total);
            assertThat(account.getHolds()).isEqualTo(Map.of(OTHER, OTHER_HOLD));
            assertThat(account.getHeld()).as("held total").isZero();
            assertThat(state.getPayment()).isEqualTo(PaymentStep.CAPTURED);
            for (OrderLine line : scenario.lines()) {
                String sku = line.getSku();
                assertThat(commitsApplied.get(sku)).as("%s committed exactly once", sku).isEqualTo(1);
                assertThat(stockRecords.get(sku).getState()).isEqualTo(StockRecordState.COMMITTED);
                assertThat(stocks.get(sku).getOnHand()).isEqualTo(initialOnHand.get(sku) - line.getQuantity());
                assertThat(stocks.get(sku).getReservations()).isEqualTo(Map.of(OTHER, OTHER_RESERVED));
                assertThat(stocks.get(sku).getReserved()).as("%s reserved total", sku).isZero();
            }
            assertThat(state.getLines()).extracting(SagaLine::getStep).containsOnly(LineStep.COMMITTED);
        }

        private void assertEverythingGivenBack() {
            for (OrderLine line : scenario.lines()) {
                String sku = line.getSku();
                StockRecord record = stockRecords.get(sku);
                assertThat(record).as("every Reserve was answered").isNotNull();
                assertThat(record.getState()).as("%s given back or never granted", sku)
                        .isIn(StockRecordState.REJECTED, StockRecordState.RELEASED, StockRecordState.RESTOCKED);
                Stock stock = stocks.get(sku);
                if (stock != null) {
                    assertThat(stock.getOnHand()).as("%s on hand", sku).isEqualTo(initialOnHand.get(sku));
                    assertThat(stock.getReservations()).as("%s reservations", sku)
                            .isEqualTo(Map.of(OTHER, OTHER_RESERVED));
                    assertThat(stock.getReserved()).as("%s reserved total", sku).isZero();
                }
            }
            assertThat(paymentRecord).as("the Authorize was answered").isNotNull();
            assertThat(paymentRecord.getState())
                    .isIn(PaymentRecordState.DECLINED, PaymentRecordState.VOIDED, PaymentRecordState.REFUNDED);
            if (account != null) {
                assertThat(account.getBalance()).isEqualTo(initialBalance);
                assertThat(account.getHolds()).isEqualTo(Map.of(OTHER, OTHER_HOLD));
                assertThat(account.getHeld()).as("held total").isZero();
            }
            assertThat(state.getLines()).extracting(SagaLine::getStep)
                    .allMatch(s -> s == LineStep.REJECTED || s == LineStep.RELEASED);
            assertThat(state.getPayment()).isIn(PaymentStep.DECLINED, PaymentStep.VOIDED, PaymentStep.REFUNDED);
            boolean wasConfirmed = statuses.stream().anyMatch(s -> s.getStatus() == OrderStatus.CONFIRMED);
            if (wasConfirmed) {
                assertThat(state.getReason()).isEqualTo(CancelReason.CUSTOMER);
                assertThat(paymentRecord.getState()).isEqualTo(PaymentRecordState.REFUNDED);
                assertThat(stockRecords.values()).extracting(StockRecord::getState)
                        .containsOnly(StockRecordState.RESTOCKED);
            }
        }

        private void assertOutcomeFollowsFromTheScenario() {
            if (scenario.anyRefusal() || cancelFired) {
                assertThat(state.getStatus()).isEqualTo(OrderStatus.CANCELLED);
            }
            if (!scenario.anyRefusal() && !cancelFired && !deadlineTookEffect) {
                assertThat(state.getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            }
            if (scenario.anyRefusal()) {
                assertThat(statuses).noneMatch(s -> s.getStatus() == OrderStatus.CONFIRMED);
            }
            if (state.getStatus() == OrderStatus.CANCELLED) {
                Set<CancelReason> possible = EnumSet.noneOf(CancelReason.class);
                if (cancelTookEffect) {
                    possible.add(CancelReason.CUSTOMER);
                }
                if (deadlineTookEffect) {
                    possible.add(CancelReason.TIMEOUT);
                }
                for (StockAnswer answer : scenario.stockAnswers()) {
                    if (answer != StockAnswer.RESERVED) {
                        possible.add(CancelReason.valueOf(answer.name()));
                    }
                }
                if (scenario.paymentAnswer() != PaymentAnswer.AUTHORIZED) {
                    possible.add(CancelReason.valueOf(scenario.paymentAnswer().name()));
                }
                assertThat(possible).contains(state.getReason());
            }
        }

        private void assertReadModelsAgree() {
            OrderView view = null;
            CustomerOrders summary = null;
            for (OrderStatusChanged change : statuses) {
                view = Views.order(view, change);
                assertThat(Views.order(view, change)).as("a duplicate change").isSameAs(view);
                summary = Views.customer(summary, change);
            }
            assertThat(view.getStatus()).isEqualTo(state.getStatus());
            assertThat(view.getReason()).isEqualTo(state.getReason());
            assertThat(view.getVersion()).isEqualTo(state.getVersion());
            assertThat(view.getHistory()).hasSize(statuses.size());
            assertThat(summary.getCountsByStatus()).isEqualTo(new LinkedHashMap<>(Map.of(state.getStatus().name(), 1L)));
            assertThat(summary.getRecentOrderIds()).containsExactly(ORDER);
            long spent = summary.getSpent().getOrDefault(EUR, 0L);
            assertThat(spent).isEqualTo(state.getStatus() == OrderStatus.CONFIRMED ? total : 0L);
        }
    }
}
