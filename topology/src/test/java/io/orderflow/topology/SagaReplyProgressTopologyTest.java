package io.orderflow.topology;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReplyType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Saga deadlines judged against the reply path's progress ({@link io.orderflow.topology.saga.ReplyProgress}) as
 * well as the wall clock: an order whose replies may still be in Orderflow's own backlog is not timed out; one
 * whose replies are really missing is, once the path has caught up past its deadline.
 */
class SagaReplyProgressTopologyTest {
    /** Where the test says the reply path is: epoch ms through which every command has been answered. */
    private final AtomicLong answeredThrough = new AtomicLong(Long.MIN_VALUE);

    @Test
    void shouldNotTimeOutWhileTheReplyPathIsBehindAndCompleteWhenTheRepliesArrive() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly(answeredThrough::get)) {
            // Given an order, and a reply path caught up only through the moment the order was placed
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            answeredThrough.set(d.now().toEpochMilli());

            // When the wall clock passes the deadline by far (a broker failing over, the services behind)
            d.advance(OrderflowDriver.SAGA_TIMEOUT.multipliedBy(3));

            // Then the order is not timed out
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus)
                    .containsExactly(OrderStatus.PLACED, OrderStatus.AWAITING);
            assertThat(d.metrics().count("saga_timeouts")).isZero();

            // When the replies come out of the backlog
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 1, null));
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 100, null));

            // Then the order is confirmed, as if nothing had happened
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.CONFIRMED);
        }
    }

    @Test
    void shouldTimeOutARealMissingReplyOnceThePathHasCaughtUpPastTheDeadline() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly(answeredThrough::get)) {
            // Given an order whose payment is answered but whose reservation never will be
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            long placed = d.now().toEpochMilli();
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 100, null));
            d.statuses();

            // When the wall clock passes the deadline while the path is caught up only to before it
            answeredThrough.set(placed + OrderflowDriver.SAGA_TIMEOUT.toMillis() - 1);
            d.advance(OrderflowDriver.SAGA_TIMEOUT.plusSeconds(10));
            // Then the order still waits
            assertThat(d.statuses()).isEmpty();

            // When the path catches up past the deadline
            answeredThrough.set(d.now().toEpochMilli());
            d.advance(Duration.ofSeconds(2));

            // Then the order is timed out and compensated
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, CancelReason.TIMEOUT));
            assertThat(d.metrics().count("saga_timeouts")).isEqualTo(1);
        }
    }

    @Test
    void shouldTimeOutNothingBeforeThePathHasBeenMeasured() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly(answeredThrough::get)) {
            // Given an order, and an instance that has not measured its reply path yet
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));

            // When the wall clock passes the deadline
            d.advance(OrderflowDriver.SAGA_TIMEOUT.plusSeconds(5));

            // Then nothing is timed out
            assertThat(d.metrics().count("saga_timeouts")).isZero();
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.AWAITING);
        }
    }
}
