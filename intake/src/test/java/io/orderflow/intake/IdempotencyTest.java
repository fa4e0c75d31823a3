package io.orderflow.intake;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Idempotency-Key is unique per customer: a repeat, even a racing one, gets the first answer and writes nothing. */
class IdempotencyTest {
    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService intake;

    @BeforeAll
    static void startIntake() {
        db = DB.db();
        intake = DB.intake(OutboxMode.KEEP);
    }


    private static PlaceOrderRequest order(String customer) {
        return new PlaceOrderRequest(customer, "EUR", List.of(new PlaceOrderRequest.Line("s1", 2, 1250)));
    }

    @Test
    void shouldReturnFirstAnswerAndWriteNothingWhenSameCustomerRepeatsKey() {
        // Given
        String customer = "c-" + UUID.randomUUID();
        OrderAccepted first = intake.placeOrder("key-1", order(customer));

        // When
        OrderAccepted repeat = intake.placeOrder("key-1", order(customer));

        // Then
        assertThat(repeat).isEqualTo(new OrderAccepted(first.orderId(), "PLACED", true));
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", first.orderId())).isEqualTo(1);
    }

    @Test
    void shouldPlaceTwoOrdersWhenDifferentCustomersUseSameKey() {
        // Given
        String alice = "c-" + UUID.randomUUID();
        String bob = "c-" + UUID.randomUUID();

        // When
        OrderAccepted forAlice = intake.placeOrder("shared-key", order(alice));
        OrderAccepted forBob = intake.placeOrder("shared-key", order(bob));

        // Then
        assertThat(forAlice.replayed()).isFalse();
        assertThat(forBob.replayed()).isFalse();
        assertThat(forBob.orderId()).isNotEqualTo(forAlice.orderId());
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id IN (?, ?)", alice, bob)).isEqualTo(2);
    }

    @Test
    void shouldPlaceExactlyOneOrderWhenDuplicatesRace() throws Exception {
        // Given: 8 threads released at once with the same customer and key
        String customer = "c-" + UUID.randomUUID();
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<OrderAccepted>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return intake.placeOrder("racing-key", order(customer));
                }));
            }

            // When
            go.countDown();
            List<OrderAccepted> results = new ArrayList<>();
            for (Future<OrderAccepted> answer : answers) {
                results.add(answer.get(30, TimeUnit.SECONDS));
            }

            // Then
            assertThat(results).extracting(OrderAccepted::orderId).containsOnly(results.get(0).orderId());
            assertThat(results).filteredOn(a -> !a.replayed()).hasSize(1);
            assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", results.get(0).orderId()))
                    .isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseAndWriteNothingWhenKeyIsReusedForDifferentOrder() {
        // Given
        String customer = "c-" + UUID.randomUUID();
        OrderAccepted first = intake.placeOrder("key-1", order(customer));
        PlaceOrderRequest different = new PlaceOrderRequest(customer, "EUR", List.of(new PlaceOrderRequest.Line("s1", 3, 1250)));

        // When / Then
        assertThatThrownBy(() -> intake.placeOrder("key-1", different))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("Idempotency-Key 'key-1'").hasMessageContaining(first.orderId());
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
    }

    @Test
    void shouldWriteOneCancelEventWhenCancelIsRepeatedWithSameKey() {
        // Given
        String orderId = intake.placeOrder("key-1", order("c-" + UUID.randomUUID())).orderId();

        // When
        OrderAccepted first = intake.cancelOrder(orderId, "cancel-1");
        OrderAccepted repeat = intake.cancelOrder(orderId, "cancel-1");

        // Then
        assertThat(first.replayed()).isFalse();
        assertThat(repeat).isEqualTo(new OrderAccepted(orderId, "CANCEL_REQUESTED", true));
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ? AND type = 'OrderCancelRequested'",
                orderId)).isEqualTo(1);
    }

    @Test
    void shouldRefuseCancelWhenKeyWasUsedToPlaceAnOrder() {
        // Given: the customer placed the order with key-1
        String orderId = intake.placeOrder("key-1", order("c-" + UUID.randomUUID())).orderId();

        // When / Then
        assertThatThrownBy(() -> intake.cancelOrder(orderId, "key-1")).isInstanceOf(IdempotencyConflictException.class);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ? AND type = 'OrderCancelRequested'",
                orderId)).isZero();
    }
}
