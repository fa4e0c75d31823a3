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
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import io.orderflow.domain.Rejection;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.orderflow.topology.OrderflowDriver.RETENTION;
import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@code saga.retention} ({@link OrderflowDriver#RETENTION}: one hour here, seven days by default): an ended saga
 * is deleted a retention after it ended; the per-order payment and stock records and the order's view twice that;
 * whatever still holds money or stock, or still runs, is kept however old. Wall-clock time is driven with
 * {@link OrderflowDriver#advance}, which fires the retention punctuation every {@link OrderflowDriver#RETENTION_SCAN}.
 */
class RetentionTopologyTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void shouldDeleteEndedSagaAfterRetentionAndItsRecordsAndViewAfterTwice() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order
            confirmedOrder(d, "o1");

            // When almost a retention has passed
            d.advance(RETENTION.minus(MINUTE));

            // Then everything is still there
            assertThat(d.saga("o1")).isNotNull();
            assertThat(d.store(StoreNames.SAGA_TIMELINE).get("o1")).isNotNull();

            // When the retention has passed
            d.advance(MINUTE.multipliedBy(2));

            // Then the saga and its timeline are gone; the payment and stock records and the view are kept longer
            assertThat(d.saga("o1")).isNull();
            assertThat(d.store(StoreNames.SAGA_TIMELINE).get("o1")).isNull();
            assertThat(d.metrics().count("retention_purged:" + StoreNames.SAGA_TIMELINE)).isEqualTo(1);
            assertThat(paymentRecord(d, "c1", "o1")).isNotNull();
            assertThat(stockRecord(d, "s1", "o1")).isNotNull();
            assertThat(d.orderView("o1")).isNotNull();
            assertThat(d.metrics().count("retention_purged:" + StoreNames.ORDER_SAGA)).isEqualTo(1);

            // When twice the retention has passed
            d.advance(RETENTION);

            // Then they are gone too; the account and stock they changed stay as they were
            assertThat(paymentRecord(d, "c1", "o1")).isNull();
            assertThat(stockRecord(d, "s1", "o1")).isNull();
            assertThat(d.orderView("o1")).isNull();
            assertThat(d.account("c1").getBalance()).isEqualTo(100_000L - 2_500L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(8L);
            assertThat(d.customerView("c1").getCountsByStatus()).containsEntry("CONFIRMED", 1L);
            assertThat(d.metrics().count("retention_purged:" + StoreNames.PAYMENT_ORDERS)).isEqualTo(1);
            assertThat(d.metrics().count("retention_purged:" + StoreNames.INVENTORY_ORDERS)).isEqualTo(1);
            assertThat(d.metrics().count("retention_purged:" + StoreNames.ORDERS_VIEW)).isEqualTo(1);
        }
    }

    @Test
    void shouldKeepSagaThatHasNotEndedHoweverOld() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given an order whose compensation is never acknowledged: it stays COMPENSATING
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100), line("s2", 1, 100));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 1, null));
            d.pipeInventoryReply(Replies.inventory("o1", "s2", InventoryReplyType.REJECTED, 1,
                    CancelReason.OUT_OF_STOCK));

            // When many retentions pass
            d.advance(RETENTION.multipliedBy(5));

            // Then it is still there, as it was
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.COMPENSATING);
            assertThat(d.saga("o1").getEndedAt()).isNull();
        }
    }

    @Test
    void shouldKeepOpenHoldAndReservationHoweverOld() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given money held and stock reserved for an order whose saga never settles them (commands sent directly)
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");
            d.pipePaymentCommand(new PaymentCommand("o9:authorize", "o9", "c1", PaymentCommandType.AUTHORIZE, 700L, "EUR"));
            d.pipeInventoryCommand(new InventoryCommand("o9:reserve:s1", "o9", "s1", InventoryCommandType.RESERVE, 3));

            // When many retentions pass
            d.advance(RETENTION.multipliedBy(5));

            // Then the hold and the reservation are kept: deleting them would free money and stock still owed
            assertThat(paymentRecord(d, "c1", "o9").getState()).isEqualTo(PaymentRecordState.AUTHORIZED);
            assertThat(stockRecord(d, "s1", "o9").getState()).isEqualTo(StockRecordState.RESERVED);
        }
    }

    @Test
    void shouldRefundWhenCustomerCancelsJustBeforeRetentionEnds() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order a minute short of its retention
            confirmedOrder(d, "o1");
            d.advance(RETENTION.minus(MINUTE));

            // When the customer cancels
            d.cancel("x1", "o1");

            // Then the refund and the restock find their records, kept twice as long as the saga
            assertThat(d.paymentReplies()).extracting(r -> r.getType()).contains(PaymentReplyType.REFUNDED);
            assertThat(d.account("c1").getBalance()).isEqualTo(100_000L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(10L);
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.CANCELLED);

            // And the saga's retention starts again from its new end
            d.advance(MINUTE.multipliedBy(2));
            assertThat(d.saga("o1")).isNotNull();
            d.advance(RETENTION);
            assertThat(d.saga("o1")).isNull();
        }
    }

    @Test
    void shouldDeadLetterCancelWhenOrderWasPurged() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order purged after its retention
            confirmedOrder(d, "o1");
            d.advance(RETENTION.plus(MINUTE));
            d.deadLetters();

            // When the customer cancels
            d.cancel("x1", "o1");

            // Then nothing is refunded, and the cancel is dead-lettered saying why
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
            List<TestRecord<String, byte[]>> letters = d.deadLetters();
            assertThat(letters).hasSize(1);
            assertThat(OrderSagaTopologyTest.header(letters.get(0), DeadLetters.REASON))
                    .isEqualTo(Rejection.UNKNOWN_ORDER);
            assertThat(OrderSagaTopologyTest.header(letters.get(0), DeadLetters.MESSAGE))
                    .contains("saga.retention");
            assertThat(d.account("c1").getBalance()).isEqualTo(100_000L - 2_500L);
        }
    }

    @Test
    void shouldNotStartOrderAgainWhenItsOrderPlacedIsReplayedAfterPurgeAndDedupeTtl() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order, purged, and its event id forgotten: dedupe.ttl (24 h here) expires by
            // stream time, which the next order moves on
            Instant placedAt = d.now();
            confirmedOrder(d, "o1");
            d.advance(Duration.ofHours(49));
            confirmedOrder(d, "o2");
            d.deadLetters();

            // When its OrderPlaced arrives again as it was (a re-published outbox row, a replayed topic)
            d.placeAt(placedAt, "e-o1", "o1", "c1", "EUR", line("s1", 2, 1250));

            // Then no second saga runs and nobody is charged twice: it is dead-lettered as expired
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
            assertThat(d.saga("o1")).isNull();
            List<TestRecord<String, byte[]>> letters = d.deadLetters();
            assertThat(letters).extracting(r -> OrderSagaTopologyTest.header(r, DeadLetters.REASON))
                    .containsExactly(Rejection.EXPIRED);
            assertThat(OrderSagaTopologyTest.header(letters.get(0), DeadLetters.MESSAGE))
                    .contains("o1", "saga.retention");
            assertThat(d.account("c1").getBalance()).isEqualTo(2 * 100_000L - 2 * 2_500L);
        }
    }

    @Test
    void shouldTreatDuplicateOrderPlacedAsDuplicateWhileSagaIsKept() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order past the dedupe TTL's reach for a new event id, but within its retention
            Instant placedAt = d.now();
            confirmedOrder(d, "o1");
            d.advance(RETENTION.minus(MINUTE));

            // When an OrderPlaced for it arrives under another event id
            d.placeAt(placedAt, "e-other", "o1", "c1", "EUR", line("s1", 2, 1250));

            // Then it is a duplicate: nothing happens
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
            assertThat(d.deadLetters()).isEmpty();
            assertThat(d.metrics().count("idempotency_duplicates:order.events")).isEqualTo(1);
        }
    }

    @Test
    void shouldIgnoreReplyForPurgedOrder() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given an order cancelled and purged
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.DECLINED, 100,
                    CancelReason.INSUFFICIENT_FUNDS));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.REJECTED, 1,
                    CancelReason.OUT_OF_STOCK));
            assertThat(d.saga("o1").getStatus()).isEqualTo(OrderStatus.CANCELLED);
            d.advance(RETENTION.plus(MINUTE));
            assertThat(d.saga("o1")).isNull();
            d.statuses();
            d.paymentCommands();
            d.inventoryCommands();

            // When a late reply for it arrives
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.VOIDED, 100, null));

            // Then no saga is made up for it and nothing is sent
            assertThat(d.saga("o1")).isNull();
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
        }
    }

    @Test
    void shouldStampSagaThatEndedBeforeRetentionExistedAndPurgeItARetentionLater() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed saga as an earlier version wrote it: no end time
            confirmedOrder(d, "o1");
            d.store(StoreNames.ORDER_SAGA).put("o1",
                    io.orderflow.contracts.state.SagaState.newBuilder(d.saga("o1")).setEndedAt(null).build());

            // When the retention walk finds it
            d.advance(OrderflowDriver.RETENTION_SCAN);

            // Then it is stamped with that time, and deleted a retention after it
            Instant stampedAt = d.now();
            assertThat(d.saga("o1").getEndedAt()).isEqualTo(stampedAt.toEpochMilli());
            d.advance(RETENTION.minus(MINUTE));
            assertThat(d.saga("o1")).isNotNull();
            d.advance(MINUTE.multipliedBy(2));
            assertThat(d.saga("o1")).isNull();
        }
    }

    /** o-id: 2 × s1 at 12.50 EUR for c1, confirmed; the outputs are drained. */
    private static void confirmedOrder(OrderflowDriver d, String orderId) {
        d.adjust("a-" + orderId, "s1", 10, null);
        d.deposit("d-" + orderId, "c1", 100_000, "EUR");
        d.place("e-" + orderId, orderId, "c1", "EUR", line("s1", 2, 1250));
        assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus).endsWith(OrderStatus.CONFIRMED);
        assertThat(d.saga(orderId).getEndedAt()).isEqualTo(d.now().toEpochMilli());
        d.paymentCommands();
        d.inventoryCommands();
        d.paymentReplies();
        d.inventoryReplies();
    }

    private static PaymentRecord paymentRecord(OrderflowDriver d, String customerId, String orderId) {
        return d.<PaymentRecord>store(StoreNames.PAYMENT_ORDERS).get(StoreNames.orderKey(customerId, orderId));
    }

    private static StockRecord stockRecord(OrderflowDriver d, String sku, String orderId) {
        return d.<StockRecord>store(StoreNames.INVENTORY_ORDERS).get(StoreNames.orderKey(sku, orderId));
    }
}
