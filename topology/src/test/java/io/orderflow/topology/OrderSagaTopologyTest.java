package io.orderflow.topology;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.contracts.state.PaymentStep;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Ledger;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The saga, ledger and inventory together in one {@link OrderflowDriver#full()} topology: each scenario asserts
 * the records on {@code order.status}, the replies and commands, and the stores.
 */
class OrderSagaTopologyTest {

    @Test
    void shouldConfirmMultiLineOrderWhenStockAndFundsSuffice() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.adjust("a2", "s2", 5, null);
            d.deposit("d1", "c1", 100_000, "EUR");

            // When
            d.place("e1", "o1", "c1", "EUR", line("s1", 2, 1250), line("s2", 1, 3000));

            // Then
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.PLACED, 1), tuple(OrderStatus.AWAITING, 2),
                            tuple(OrderStatus.CONFIRMED, 3));
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType, PaymentCommand::getAmount)
                    .containsExactly(tuple(PaymentCommandType.AUTHORIZE, 5500L),
                            tuple(PaymentCommandType.CAPTURE, 5500L));
            assertThat(d.inventoryCommands()).extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactlyInAnyOrder(tuple(InventoryCommandType.RESERVE, "s1"),
                            tuple(InventoryCommandType.RESERVE, "s2"), tuple(InventoryCommandType.COMMIT, "s1"),
                            tuple(InventoryCommandType.COMMIT, "s2"));
            assertThat(d.paymentReplies()).extracting(PaymentReply::getType)
                    .containsExactly(PaymentReplyType.AUTHORIZED, PaymentReplyType.CAPTURED);
            assertThat(d.account("c1").getBalance()).isEqualTo(94_500L);
            assertThat(Ledger.held(d.account("c1"))).isZero();
            assertThat(d.stock("s1").getOnHand()).isEqualTo(8L);
            assertThat(Inventory.reserved(d.stock("s1"))).isZero();
            assertThat(d.stock("s2").getOnHand()).isEqualTo(4L);
            assertThat(d.saga("o1").getPayment()).isEqualTo(PaymentStep.CAPTURED);
            assertThat(d.saga("o1").getLines()).allMatch(l -> l.getStep() == LineStep.COMMITTED);
            assertThat(d.orderView("o1").getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(d.orderView("o1").getTotal()).isEqualTo(5500L);
            assertThat(d.customerView("c1").getSpent()).containsEntry("EUR", 5500L);
            assertThat(d.metrics().count("saga_completed:CONFIRMED")).isEqualTo(1);
        }
    }

    @Test
    void shouldReleaseReservationsWhenPaymentDeclined() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given stock for both lines but too little money
            d.adjust("a1", "s1", 10, null);
            d.adjust("a2", "s2", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");

            // When
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 1000), line("s2", 1, 1000));

            // Then
            List<OrderStatusChanged> statuses = d.statuses();
            assertThat(statuses).extracting(OrderStatusChanged::getStatus).containsExactly(OrderStatus.PLACED,
                    OrderStatus.AWAITING, OrderStatus.COMPENSATING, OrderStatus.CANCELLED);
            assertThat(statuses.get(3).getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
            assertThat(d.inventoryCommands()).filteredOn(c -> c.getType() == InventoryCommandType.RELEASE)
                    .extracting(InventoryCommand::getSku).containsExactlyInAnyOrder("s1", "s2");
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.AUTHORIZE);
            assertThat(Inventory.reserved(d.stock("s1"))).isZero();
            assertThat(Inventory.reserved(d.stock("s2"))).isZero();
            assertThat(d.stock("s1").getOnHand()).isEqualTo(10L);
            assertThat(d.account("c1").getBalance()).isEqualTo(1_000L);
            assertThat(d.orderView("o1").getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
        }
    }

    @Test
    void shouldVoidAuthorizationAndReleaseOtherLinesWhenOneLineOutOfStock() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given funds; s1 and s3 in stock, s2 short
            d.adjust("a1", "s1", 10, null);
            d.adjust("a2", "s2", 1, null);
            d.adjust("a3", "s3", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");

            // When
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100), line("s2", 2, 100), line("s3", 1, 100));

            // Then
            List<OrderStatusChanged> statuses = d.statuses();
            assertThat(statuses.get(statuses.size() - 1).getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(statuses.get(statuses.size() - 1).getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.AUTHORIZE, PaymentCommandType.VOID);
            assertThat(d.inventoryReplies()).filteredOn(r -> r.getType() == InventoryReplyType.REJECTED)
                    .extracting(InventoryReply::getSku).containsExactly("s2");
            assertThat(d.inventoryCommands()).filteredOn(c -> c.getType() == InventoryCommandType.RELEASE)
                    .extracting(InventoryCommand::getSku).containsExactlyInAnyOrder("s1", "s3");
            assertThat(Ledger.held(d.account("c1"))).isZero();
            assertThat(Ledger.available(d.account("c1"))).isEqualTo(100_000L);
            assertThat(Inventory.available(d.stock("s1"))).isEqualTo(10L);
            assertThat(Inventory.available(d.stock("s2"))).isEqualTo(1L);
            assertThat(Inventory.available(d.stock("s3"))).isEqualTo(10L);
            assertThat(d.metrics().count("saga_compensations:void")).isEqualTo(1);
        }
    }

    @Test
    void shouldCancelWithUnknownSkuWhenSkuWasNeverStocked() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.deposit("d1", "c1", 100_000, "EUR");

            // When
            d.place("e1", "o1", "c1", "EUR", line("nope", 1, 100));

            // Then
            OrderStatusChanged last = lastOf(d.statuses());
            assertThat(last.getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(last.getReason()).isEqualTo(CancelReason.UNKNOWN_SKU);
            assertThat(d.stock("nope")).isNull();
            assertThat(Ledger.held(d.account("c1"))).isZero();
        }
    }

    @Test
    void shouldCancelWithUnknownAccountWhenCustomerHasNoAccount() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);

            // When
            d.place("e1", "o1", "nobody", "EUR", line("s1", 3, 100));

            // Then
            OrderStatusChanged last = lastOf(d.statuses());
            assertThat(last.getReason()).isEqualTo(CancelReason.UNKNOWN_ACCOUNT);
            assertThat(d.paymentReplies()).extracting(PaymentReply::getType, PaymentReply::getReason)
                    .containsExactly(tuple(PaymentReplyType.DECLINED, CancelReason.UNKNOWN_ACCOUNT));
            assertThat(Inventory.reserved(d.stock("s1"))).isZero();
            assertThat(d.account("nobody")).isNull();
        }
    }

    @Test
    void shouldCancelWithCurrencyMismatchWhenOrderCurrencyDiffersFromAccount() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");

            // When
            d.place("e1", "o1", "c1", "USD", line("s1", 1, 100));

            // Then
            assertThat(lastOf(d.statuses()).getReason()).isEqualTo(CancelReason.CURRENCY_MISMATCH);
            assertThat(Inventory.reserved(d.stock("s1"))).isZero();
        }
    }

    @Test
    void shouldCarryTheNoteToEveryStatusChangeAndTheViewWhenTheOrderHasOne() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");

            // When an order with a note arrives as JSON, as kafka-console-producer sends it
            d.pipeOrderJson("o1", "{\"type\":\"OrderPlaced\",\"eventId\":\"e1\",\"orderId\":\"o1\","
                    + "\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,"
                    + "\"unitPrice\":100}],\"note\":\"Leave it with the neighbour\\nat no. 5\"}");
            d.place("e2", "o2", "c1", "EUR", line("s1", 1, 100));

            // Then
            List<OrderStatusChanged> statuses = d.statuses();
            assertThat(statuses).filteredOn(s -> s.getOrderId().equals("o1"))
                    .extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getNote)
                    .containsExactly(tuple(OrderStatus.PLACED, "Leave it with the neighbour\nat no. 5"),
                            tuple(OrderStatus.AWAITING, "Leave it with the neighbour\nat no. 5"),
                            tuple(OrderStatus.CONFIRMED, "Leave it with the neighbour\nat no. 5"));
            assertThat(d.orderView("o1").getNote()).isEqualTo("Leave it with the neighbour\nat no. 5");
            assertThat(d.orderView("o2").getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(d.orderView("o2").getNote()).isNull();
        }
    }

    @Test
    void shouldCancelAsInvalidOrderWithoutKeepingTheNoteWhenTheNoteBreaksItsRules() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When a note of 501 characters arrives
            d.placeWithNote("e1", "o1", "c1", "x".repeat(501), line("s1", 1, 100));

            // Then
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason,
                            OrderStatusChanged::getNote)
                    .containsExactly(tuple(OrderStatus.PLACED, null, null),
                            tuple(OrderStatus.CANCELLED, CancelReason.INVALID_ORDER, null));
            assertThat(d.orderView("o1").getNote()).isNull();
            assertThat(d.paymentCommands()).isEmpty();
        }
    }

    @Test
    void shouldCancelAsInvalidOrderWithoutCommandsWhenOrderBreaksContentRules() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When a negative quantity arrives
            d.place("e1", "o1", "c1", "EUR", line("s1", -1, 100));

            // Then
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.PLACED, null),
                            tuple(OrderStatus.CANCELLED, CancelReason.INVALID_ORDER));
            assertThat(d.paymentCommands()).isEmpty();
            assertThat(d.inventoryCommands()).isEmpty();
        }
    }

    @Test
    void shouldReleaseEverythingWhenCustomerCancelsBeforeConfirmation() {
        try (OrderflowDriver d = OrderflowDriver.sagaOnly()) {
            // Given an order whose stock is reserved but whose payment is still pending
            d.place("e1", "o1", "c1", "EUR", line("s1", 2, 500));
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RESERVED, 2, null));
            d.statuses();
            d.inventoryCommands();
            d.paymentCommands();

            // When
            d.cancel("e2", "o1");

            // Then the reservation is released at once; CANCELLED waits for the release to be acknowledged
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, CancelReason.CUSTOMER));
            assertThat(d.inventoryCommands()).extracting(InventoryCommand::getType)
                    .containsExactly(InventoryCommandType.RELEASE);
            d.pipeInventoryReply(Replies.inventory("o1", "s1", InventoryReplyType.RELEASED, 2, null));
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.CANCELLED, 4));

            // And the authorization still in flight is voided when it arrives
            d.pipePaymentReply(Replies.payment("o1", "c1", PaymentReplyType.AUTHORIZED, 1000, null));
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.VOID);
            assertThat(d.statuses()).isEmpty();
        }
    }

    @Test
    void shouldRefundAndRestockWhenCustomerCancelsAfterConfirmation() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 10_000, "EUR");
            d.place("e1", "o1", "c1", "EUR", line("s1", 4, 500));
            assertThat(lastOf(d.statuses()).getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(d.account("c1").getBalance()).isEqualTo(8_000L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(6L);
            d.paymentCommands();
            d.inventoryCommands();

            // When
            d.cancel("e2", "o1");

            // Then
            assertThat(d.statuses()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason,
                            OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 4),
                            tuple(OrderStatus.CANCELLED, CancelReason.CUSTOMER, 5));
            assertThat(d.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.REFUND);
            assertThat(d.inventoryCommands()).extracting(InventoryCommand::getType)
                    .containsExactly(InventoryCommandType.RELEASE);
            assertThat(d.account("c1").getBalance()).isEqualTo(10_000L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(10L);
            assertThat(d.saga("o1").getPayment()).isEqualTo(PaymentStep.REFUNDED);
            assertThat(d.customerView("c1").getSpent()).containsEntry("EUR", 0L);
            assertThat(d.customerView("c1").getCountsByStatus()).containsExactlyEntriesOf(
                    java.util.Map.of("CANCELLED", 1L));
        }
    }

    @Test
    void shouldChangeNothingWhenEventIdOrOrderPlacedIsDuplicated() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 10_000, "EUR");
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 500));
            d.statuses();
            d.paymentCommands();
            d.inventoryCommands();

            // When the same event is delivered again, then a new event re-places the same order,
            // and a deposit and an adjustment are redelivered
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 500));
            d.place("e9", "o1", "c1", "EUR", line("s1", 7, 1));
            d.deposit("d1", "c1", 10_000, "EUR");
            d.adjust("a1", "s1", 10, null);

            // Then
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
            assertThat(d.inventoryCommands()).isEmpty();
            assertThat(d.account("c1").getBalance()).isEqualTo(9_500L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(9L);
            assertThat(d.saga("o1").getVersion()).isEqualTo(3);
            assertThat(d.metrics().count("idempotency_duplicates:" + Topics.ORDER_EVENTS.name())).isEqualTo(2);
            assertThat(d.metrics().count("idempotency_duplicates:" + Topics.PAYMENT_DEPOSITS.name())).isEqualTo(1);
            assertThat(d.metrics().count("idempotency_duplicates:" + Topics.INVENTORY_ADJUSTMENTS.name()))
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldRememberNoOrderPlacedEventIdWhenTheSagaIsKeptLongerThanTheDedupeTtl() {
        // Given saga.retention (7 days) longer than dedupe.ttl (24 hours), and a placed order
        OrderflowConfig config = new OrderflowConfig(OrderflowDriver.SAGA_TIMEOUT, Duration.ofHours(24),
                Duration.ofSeconds(1), Duration.ofDays(7), OrderflowDriver.RETENTION_SCAN, "local:",
                OrderflowConfig.DEFAULT_PARTITIONS);
        try (OrderflowDriver d = OrderflowDriver.full(config)) {
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 10_000, "EUR");
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 500));
            d.statuses();
            d.paymentCommands();
            d.inventoryCommands();

            // When the same event is delivered again
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 500));

            // Then the saga recognised the repeat, and the dedupe store holds no eventId for it
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
            assertThat(d.inventoryCommands()).isEmpty();
            assertThat(d.metrics().count("idempotency_duplicates:" + Topics.ORDER_EVENTS.name())).isEqualTo(1);
            assertThat(dedupeEntries(d)).isZero();
        }
    }

    @Test
    void shouldRememberTheOrderPlacedEventIdWhenTheSagaMayBePurgedBeforeTheDedupeTtl() {
        // Given the test's saga.retention (1 hour) shorter than dedupe.ttl (24 hours)
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // When an order is placed
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 500));

            // Then its eventId is remembered for the TTL
            assertThat(dedupeEntries(d)).isEqualTo(1);
        }
    }

    private static long dedupeEntries(OrderflowDriver d) {
        WindowStore<String, Long> store = d.driver().getWindowStore(StoreNames.SAGA_DEDUPE);
        long n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldReplySameAndChangeNothingWhenPaymentAndInventoryCommandsAreReplayed() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a confirmed order and the commands the saga sent for it
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 10_000, "EUR");
            d.place("e1", "o1", "c1", "EUR", line("s1", 2, 500));
            List<PaymentCommand> payments = d.paymentCommands();
            List<InventoryCommand> stock = d.inventoryCommands();
            List<PaymentReply> firstPaymentReplies = d.paymentReplies();
            List<InventoryReply> firstStockReplies = d.inventoryReplies();
            d.statuses();
            var accountBefore = d.account("c1");
            var stockBefore = d.stock("s1");

            // When every command is replayed
            payments.forEach(d::pipePaymentCommand);
            stock.forEach(d::pipeInventoryCommand);

            // Then the replies are the same, the state is unchanged and the saga ignores them
            assertThat(d.paymentReplies()).isEqualTo(firstPaymentReplies);
            assertThat(d.inventoryReplies()).isEqualTo(firstStockReplies);
            assertThat(d.account("c1")).isEqualTo(accountBefore);
            assertThat(d.stock("s1")).isEqualTo(stockBefore);
            assertThat(d.statuses()).isEmpty();
            assertThat(d.paymentCommands()).isEmpty();
        }
    }

    @Test
    void shouldRejectAndCountWhenExpectedVersionIsStale() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given sku s1 at version 2
            d.adjust("a1", "s1", 10, 0L);
            d.adjust("a2", "s1", 5, 1L);
            assertThat(d.stock("s1").getVersion()).isEqualTo(2L);

            // When an adjustment expects version 1
            d.adjust("a3", "s1", -3, 1L);

            // Then it is refused, dead-lettered with the reason, and counted
            assertThat(d.stock("s1").getOnHand()).isEqualTo(15L);
            var letters = d.deadLetters();
            assertThat(letters).hasSize(1);
            assertThat(header(letters.get(0), "orderflow.reason")).isEqualTo("VERSION_CONFLICT");
            assertThat(d.metrics().count("optimistic_lock_conflicts")).isEqualTo(1);

            // And an adjustment with the current version goes through
            d.adjust("a4", "s1", -3, 2L);
            assertThat(d.stock("s1").getOnHand()).isEqualTo(12L);
        }
    }

    @Test
    void shouldCountEveryVersionedAdjustmentAsAnAttemptWhenItsVersionIsCompared() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given sku s1 at version 1 after a versioned adjustment
            d.adjust("a1", "s1", 10, 0L);

            // When one versioned adjustment conflicts, one goes through, one carries no version and one is
            // invalid (delta 0) before its version could be compared
            d.adjust("a2", "s1", 5, 0L);
            d.adjust("a3", "s1", 5, 1L);
            d.adjust("a4", "s1", 1, null);
            d.adjust("a5", "s1", 0, 3L);

            // Then the three compared versions are attempts, and one of them a conflict
            assertThat(d.metrics().count("optimistic_lock_attempts")).isEqualTo(3);
            assertThat(d.metrics().count("optimistic_lock_conflicts")).isEqualTo(1);
            assertThat(d.stock("s1").getVersion()).isEqualTo(3L);
        }
    }

    @Test
    void shouldGiveIdenticalResultsWhenSameOrderArrivesAsJsonOrAsAvro() {
        String json = "{\"type\":\"OrderPlaced\",\"eventId\":\"e1\",\"orderId\":\"o1\",\"customerId\":\"c1\","
                + "\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250}]}";
        List<OrderStatusChanged> viaJson;
        List<OrderStatusChanged> viaAvro;
        try (OrderflowDriver d = OrderflowDriver.full()) {
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");
            d.pipeOrderJson("o1", json);
            viaJson = d.statuses();
        }
        try (OrderflowDriver d = OrderflowDriver.full()) {
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");
            var event = new io.orderflow.serde.IngressReader(d.registry()).orderEvent(OrderflowDriver.bytes(json));
            byte[] avro = new io.orderflow.serde.AvroSerde<>(io.orderflow.contracts.OrderEvent.class, d.registry())
                    .serializer().serialize(Topics.ORDER_EVENTS.name(), event);
            assertThat(avro[0]).isZero();
            d.pipeOrderEvent("o1", avro);
            viaAvro = d.statuses();
        }
        assertThat(viaJson).hasSize(3).isEqualTo(viaAvro);
    }

    static OrderStatusChanged lastOf(List<OrderStatusChanged> statuses) {
        assertThat(statuses).isNotEmpty();
        return statuses.get(statuses.size() - 1);
    }

    static String header(org.apache.kafka.streams.test.TestRecord<String, byte[]> record, String key) {
        var header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
