package io.orderflow.topology;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.topology.saga.DeadlineIndex;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The saga alone ({@link OrderflowDriver#sagaOnly()}): the test plays the ledger and inventory, so replies can be
 * late or missing, and the wall clock is driven with {@code advanceWallClockTime}.
 */
class SagaTimeoutTopologyTest {

    @Test
    void shouldCompensateWithTimeoutWhenDeadlinePassesWithRepliesMissing() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given an order with one line reserved, the other line and the payment unanswered
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100), line("s2", 1, 100));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 1, null));
            d.statuses();
            d.inventoryCommands();

            // When time passes, but not yet the deadline
            d.advance(OrderflowDriver.SAGA_TIMEOUT.minusSeconds(2));
            // Then nothing happens
            assertThat(d.statuses()).isEmpty();

            // When the deadline passes
            d.advance(Duration.ofSeconds(3));

            // Then the reserved line is released and the order waits for the acknowledgement
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, CancelReason.TIMEOUT));
            assertThat(d.inventoryCommands()).extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1"));
            assertThat(d.metrics().count("saga_timeouts")).isEqualTo(1);
            assertThat(deadlineEntries(d)).isZero();

            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RELEASED, 1, null));
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.CANCELLED, CancelReason.TIMEOUT));
        }
    }

    @Test
    void shouldCompensateLateRepliesWhenTheyArriveAfterTimeout() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given an order that timed out with nothing granted
            d.place("e1", "o1", "c1", "EUR", line("s1", 2, 100));
            d.advance(OrderflowDriver.SAGA_TIMEOUT.plusSeconds(1));
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus).containsExactly(OrderStatus.PLACED,
                    OrderStatus.AWAITING, OrderStatus.COMPENSATING, OrderStatus.CANCELLED);
            d.inventoryCommands();
            d.paymentCommands();

            // When the reservation and the authorization arrive late
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 2, null));
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 200, null));

            // Then each grant is given back at once, and the order stays CANCELLED
            assertThat(d.inventoryCommands()).extracting(InventoryCommand::getType)
                    .containsExactly(InventoryCommandType.RELEASE);
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.VOID);
            assertThat(d.statuses()).isEmpty();
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(d.saga("o1").getLines().get(0).getStep()).isEqualTo(LineStep.RELEASING);
        }
    }

    @Test
    void shouldNotTimeOutWhenOrderCompletedBeforeDeadline() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given a confirmed order
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 1, null));
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 100, null));
            assertThat(OrderSagaTopologyTest.lastOf(d.statuses()).getStatus()).isEqualTo(OrderStatus.CONFIRMED);

            // When the deadline passes
            d.advance(OrderflowDriver.SAGA_TIMEOUT.multipliedBy(2));

            // Then nothing happens
            assertThat(d.statuses()).isEmpty();
            assertThat(d.metrics().count("saga_timeouts")).isZero();
        }
    }

    @Test
    void shouldDropStaleDeadlineEntryWhenItsOrderIsNoLongerAwaitingThatDeadline() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given a confirmed order, and a deadline entry for it that the state does not know (as a store
            // restored from an at-least-once changelog can hold)
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 1, null));
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 100, null));
            d.statuses();
            KeyValueStore<String, String> deadlines = d.store(StoreNames.SAGA_DEADLINES);
            deadlines.put(DeadlineIndex.key(d.now().toEpochMilli() + 1_000, "o1"), "o1");

            // When that stale deadline passes
            d.advance(Duration.ofSeconds(5));

            // Then the entry is gone, and nothing happened to the order
            assertThat(deadlineEntries(d)).as("deadline entries left").isZero();
            assertThat(d.statuses()).isEmpty();
        }
    }

    /** Counted, not estimated: RocksDB's approximateNumEntries may say 0 with entries present. */
    private static int deadlineEntries(OrderflowDriver d) {
        int n = 0;
        try (KeyValueIterator<String, String> all = d.<String>store(StoreNames.SAGA_DEADLINES).all()) {
            for (; all.hasNext(); all.next()) {
                n++;
            }
        }
        return n;
    }
}
