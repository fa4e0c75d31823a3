package io.orderflow.intake;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Group commit: concurrent orders share a transaction, yet each is answered as if it had been alone. To put chosen
 * orders into one batch, a test holds the only writer on a key that an open transaction of the test has claimed;
 * the orders posted meanwhile queue, and once the test rolls back they are written together.
 */
class GroupCommitTest {
    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService intake;
    private static ExecutorService callers;

    @BeforeAll
    static void start() {
        db = DB.db();
        intake = DB.intake(db.config(OutboxMode.KEEP).withBatch(100, 1));
        callers = Executors.newFixedThreadPool(32);
    }

    @AfterAll
    static void stop() {
        callers.shutdownNow();
    }

    private static PlaceOrderRequest order(String customer, int quantity) {
        return new PlaceOrderRequest(customer, "EUR", List.of(new PlaceOrderRequest.Line("s1", quantity, 1250)));
    }

    private static Future<OrderAccepted> post(String key, PlaceOrderRequest request) {
        return callers.submit(() -> intake.placeOrder(key, request));
    }

    /**
     * Runs {@code whileBlocked} while the writer is stuck on a key claimed by an open transaction, waits until
     * {@code queued} orders wait behind it, then releases the writer. Answers the blocked order.
     */
    private static OrderAccepted withWriterBlocked(int queued, Runnable whileBlocked) throws Exception {
        String customer = "c-block-" + UUID.randomUUID();
        Future<OrderAccepted> blocked;
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement claim = holder.createStatement()) {
                claim.executeUpdate("INSERT INTO idempotency_keys (customer_id, idempotency_key, order_id, "
                        + "request_fingerprint, response) VALUES ('" + customer + "', 'k', 'o-held', 'f', '{}')");
            }
            blocked = post("k", order(customer, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0);
            whileBlocked.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> intake.queuedOrders() == queued);
            holder.rollback();
        }
        return blocked.get(30, TimeUnit.SECONDS);
    }

    private static OrderAccepted answer(Future<OrderAccepted> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<OrderAccepted> future) {
        return assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .actual().getCause();
    }

    @Test
    void shouldPersistEveryOrderExactlyOnceWhenManyArePostedConcurrently() throws Exception {
        // Given: 32 callers posting 600 orders of 300 customers, each order under its own key
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Callable<OrderAccepted>> posts = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String customer = "c-many-" + run + "-" + (i % 300);
            String key = "k-" + i;
            posts.add(() -> intake.placeOrder(key, order(customer, 1)));
        }

        // When
        List<OrderAccepted> answers = new ArrayList<>();
        for (Future<OrderAccepted> answer : callers.invokeAll(posts, 60, TimeUnit.SECONDS)) {
            answers.add(answer.get());
        }

        // Then: 600 distinct orders, each with its key and exactly one outbox event
        assertThat(answers).extracting(OrderAccepted::replayed).containsOnly(false);
        assertThat(answers).extracting(OrderAccepted::orderId).doesNotHaveDuplicates().hasSize(600);
        String like = "c-many-" + run + "-%";
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id LIKE ?", like)).isEqualTo(600);
        assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE customer_id LIKE ?", like)).isEqualTo(600);
        assertThat(db.count("SELECT count(*) FROM outbox o JOIN orders r ON r.order_id = o.aggregateid "
                + "WHERE r.customer_id LIKE ?", like)).isEqualTo(600);
        assertThat(db.count("SELECT count(DISTINCT aggregateid) FROM outbox o JOIN orders r ON r.order_id = o.aggregateid "
                + "WHERE r.customer_id LIKE ?", like)).isEqualTo(600);
    }

    @Test
    void shouldWriteQueuedOrdersInOneTransactionWhenTheyArriveWhileTheWriterIsBusy() throws Exception {
        // Given: a replication slot sees the transactions, as Debezium would
        String slot = "group_" + UUID.randomUUID().toString().replace("-", "");
        db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
        try {
            String customer = "c-" + UUID.randomUUID();
            List<Future<OrderAccepted>> queued = new ArrayList<>();

            // When: five orders arrive while the writer is busy
            withWriterBlocked(5, () -> {
                for (int i = 0; i < 5; i++) {
                    queued.add(post("k-" + i, order(customer, 1)));
                }
            });

            // Then: five orders, answered each with its own id, written by one transaction
            List<String> orderIds = new ArrayList<>();
            for (Future<OrderAccepted> answer : queued) {
                orderIds.add(answer(answer).orderId());
            }
            assertThat(orderIds).doesNotHaveDuplicates();
            List<String> changes = db.query("SELECT data FROM pg_logical_slot_get_changes('" + slot
                    + "', NULL, NULL, 'skip-empty-xacts', '1')").stream().map(row -> (String) row.get("data")).toList();
            List<Integer> transactionOfEachEvent = new ArrayList<>();
            int transaction = 0;
            for (String change : changes) {
                if (change.startsWith("BEGIN")) {
                    transaction++;
                } else if (change.startsWith("table public.outbox: INSERT:")
                        && orderIds.stream().anyMatch(change::contains)) {
                    transactionOfEachEvent.add(transaction);
                }
            }
            assertThat(transactionOfEachEvent).hasSize(5).containsOnly(transactionOfEachEvent.get(0));
        } finally {
            db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void shouldWriteOnceAndGiveBothTheFirstAnswerWhenSameKeyIsTwiceInOneBatch() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        List<Future<OrderAccepted>> twins = new ArrayList<>();

        // When: the same request twice, with the same key, in one batch
        withWriterBlocked(2, () -> {
            twins.add(post("twin", order(customer, 2)));
            await().atMost(Duration.ofSeconds(10)).until(() -> intake.queuedOrders() == 1);
            twins.add(post("twin", order(customer, 2)));
        });

        // Then: one order, one key, one event; the first caller placed it, the second got its answer as a replay
        OrderAccepted first = answer(twins.get(0));
        OrderAccepted second = answer(twins.get(1));
        assertThat(first.replayed()).isFalse();
        assertThat(second).isEqualTo(new OrderAccepted(first.orderId(), "PLACED", true));
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE customer_id = ?", customer)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", first.orderId())).isEqualTo(1);
    }

    @Test
    void shouldRefuseOnlyTheReusedKeyWhenItsBatchHoldsADifferentRequestWithThatKey() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        List<Future<OrderAccepted>> batch = new ArrayList<>();

        // When: one batch holds an order, a different order under the same key, and an unrelated order
        withWriterBlocked(3, () -> {
            batch.add(post("reused", order(customer, 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> intake.queuedOrders() == 1);
            batch.add(post("reused", order(customer, 3)));
            batch.add(post("other", order(customer, 1)));
        });

        // Then
        OrderAccepted first = answer(batch.get(0));
        assertThat(first.replayed()).isFalse();
        assertThat(failure(batch.get(1))).isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("Idempotency-Key 'reused'").hasMessageContaining(first.orderId());
        assertThat(answer(batch.get(2)).replayed()).isFalse();
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM outbox o JOIN orders r ON r.order_id = o.aggregateid "
                + "WHERE r.customer_id = ?", customer)).isEqualTo(2);
    }

    @Test
    void shouldPlaceTheOthersWhenOneOrderOfTheBatchFailsInTheDatabase() throws Exception {
        // Given: the orders table refuses one customer's rows
        String good = "c-" + UUID.randomUUID();
        String bad = "c-refused-" + UUID.randomUUID();
        db.execute("ALTER TABLE orders ADD CONSTRAINT test_refuse_customer CHECK (customer_id <> '" + bad
                + "') NOT VALID");
        try {
            List<Future<OrderAccepted>> batch = new ArrayList<>();

            // When: the refused order sits between two good ones in one batch
            withWriterBlocked(3, () -> {
                batch.add(post("k1", order(good, 1)));
                await().atMost(Duration.ofSeconds(10)).until(() -> intake.queuedOrders() == 1);
                batch.add(post("k1", order(bad, 1)));
                await().atMost(Duration.ofSeconds(10)).until(() -> intake.queuedOrders() == 2);
                batch.add(post("k2", order(good, 1)));
            });

            // Then: the good ones are placed; the bad one fails alone and leaves no key behind
            assertThat(answer(batch.get(0)).replayed()).isFalse();
            assertThat(failure(batch.get(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("test_refuse_customer");
            assertThat(answer(batch.get(2)).replayed()).isFalse();
            assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", good)).isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", bad)).isZero();
            assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE customer_id = ?", bad)).isZero();
        } finally {
            db.execute("ALTER TABLE orders DROP CONSTRAINT test_refuse_customer");
        }
    }
}
