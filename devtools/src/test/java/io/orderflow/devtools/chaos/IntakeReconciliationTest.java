package io.orderflow.devtools.chaos;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.EventLog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The intake's reconciliation over an event log built by hand: each way an acknowledged order can go wrong is
 * caught. (The run on real parts, PostgreSQL and Debezium on Connect included, is EveryFaultChaosIntegrationTest.)
 */
class IntakeReconciliationTest {
    private int offset;

    private void placed(EventLog log, String orderId) {
        log.addOrderEvent(at("order.events"), orderId, new OrderEvent("e-" + offset, orderId,
                new OrderPlaced("c1", "EUR", List.of(new OrderLine("sku-1", 1, 100L)), null)), null);
    }

    private void cancelRequested(EventLog log, String orderId) {
        log.addOrderEvent(at("order.events"), orderId, new OrderEvent("e-" + offset, orderId,
                new OrderCancelRequested()), null);
    }

    private void terminal(EventLog log, String orderId, OrderStatus status) {
        log.addStatus(at("order.status"), orderId, new OrderStatusChanged(orderId + ":v" + offset, orderId, "c1",
                status, OrderStatus.AWAITING, status == OrderStatus.CANCELLED ? CancelReason.CUSTOMER : null, offset,
                100L, "EUR", List.of(), 1L, 2L, null));
    }

    private Coordinates at(String topic) {
        return new Coordinates(topic, 0, offset++);
    }

    /** o-1 confirmed, o-2 cancelled at the customer's request: everything as the intake acknowledged it. */
    private EventLog clean() {
        EventLog log = new EventLog();
        placed(log, "o-1");
        placed(log, "o-2");
        cancelRequested(log, "o-2");
        terminal(log, "o-1", OrderStatus.CONFIRMED);
        terminal(log, "o-2", OrderStatus.CANCELLED);
        return log;
    }

    private static final Map<String, String> TABLE = Map.of("o-1", "PLACED", "o-2", "CANCEL_REQUESTED");

    @Test
    void shouldPassWhenEveryAcknowledgedOrderIsOnTheTopicOnceAndTerminalOnce() {
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2"), Map.of("k-1", "o-2"),
                TABLE, clean());

        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.check().summary()).startsWith("2 orders acknowledged (202), 2 in its table; 1 "
                + "cancellations acknowledged; every order on order.events once");
    }

    @Test
    void shouldFailWhenAnAcknowledgedOrderIsNotInTheIntakesTable() {
        // Given a 202 for o-3, which the intake's table does not have (a commit it lost)
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2", "o-3"),
                Map.of("k-1", "o-2"), TABLE, clean());

        assertThat(result.ok()).isFalse();
        assertThat(result.lostByIntake()).containsExactly("o-3");
        assertThat(result.toString()).contains("1 acknowledged but not in its table: o-3");
    }

    @Test
    void shouldFailWhenAnOrderInTheTableNeverReachedTheTopic() {
        // Given o-3 committed with its outbox row, but never published (an outbox event lost by Connect)
        Map<String, String> table = Map.of("o-1", "PLACED", "o-2", "CANCEL_REQUESTED", "o-3", "PLACED");
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2", "o-3"),
                Map.of("k-1", "o-2"), table, clean());

        assertThat(result.ok()).isFalse();
        assertThat(result.lostInOutbox()).containsExactly("o-3");
        assertThat(result.notTerminal()).containsExactly("o-3");
        assertThat(result.toString()).contains("1 never on order.events: o-3");
    }

    @Test
    void shouldFailWhenAnOrderIsPublishedTwiceOrEndsTwice() {
        // Given o-1's OrderPlaced published twice (a source transaction replayed) and CONFIRMED twice
        EventLog log = clean();
        placed(log, "o-1");
        terminal(log, "o-1", OrderStatus.CONFIRMED);
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2"), Map.of("k-1", "o-2"),
                TABLE, log);

        assertThat(result.ok()).isFalse();
        assertThat(result.duplicated()).containsExactly("o-1");
        assertThat(result.terminalTwice()).containsExactly("o-1");
    }

    @Test
    void shouldAcceptACustomersCancellationOfAConfirmedOrder() {
        // Given o-1 confirmed, then cancelled by its customer: CONFIRMED, then CANCELLED(CUSTOMER)
        EventLog log = clean();
        cancelRequested(log, "o-1");
        terminal(log, "o-1", OrderStatus.CANCELLED);
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2"),
                Map.of("k-1", "o-2", "k-2", "o-1"), TABLE, log);

        assertThat(result.ok()).as(result.toString()).isTrue();
    }

    @Test
    void shouldFailWhenAnAcknowledgedCancellationIsMissingOrDoubled() {
        // Given a second acknowledged cancellation of o-2 that never reached the topic
        IntakeReconciliation result = IntakeReconciliation.reconcile(Set.of("o-1", "o-2"),
                Map.of("k-1", "o-2", "k-2", "o-2"), TABLE, clean());

        assertThat(result.ok()).isFalse();
        assertThat(result.cancelsMismatched()).containsExactly("o-2");
    }
}
