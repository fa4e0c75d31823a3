package io.orderflow.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.LocalSchemaRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Placing and cancelling orders against a real PostgreSQL: the rows, the outbox events and their atomicity. */
class IntakeServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IngressReader READER = new IngressReader(LocalSchemaRegistry.instance());

    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService keeping;
    private static IntakeService deleting;

    @BeforeAll
    static void startIntakes() {
        db = DB.db();
        keeping = DB.intake(OutboxMode.KEEP);
        deleting = DB.intake(OutboxMode.DELETE);
    }


    @Test
    void shouldWriteOrderRowAndOrderPlacedOutboxEventWhenOrderIsValid() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        PlaceOrderRequest request = new PlaceOrderRequest(customer, "EUR", List.of(
                new PlaceOrderRequest.Line("s1", 2, 1250), new PlaceOrderRequest.Line("s2", 1, 99)));

        // When
        OrderAccepted accepted = keeping.placeOrder("k1", request);

        // Then
        assertThat(accepted.status()).isEqualTo("PLACED");
        assertThat(accepted.replayed()).isFalse();
        assertThat(accepted.orderId()).matches("o-[0-9a-f-]{36}");
        Map<String, Object> order = db.query("SELECT customer_id, currency, total, lines::text AS lines, status "
                + "FROM orders WHERE order_id = ?", accepted.orderId()).get(0);
        assertThat(order).containsEntry("customer_id", customer).containsEntry("currency", "EUR")
                .containsEntry("total", 2599L).containsEntry("status", "PLACED");
        assertThat(JSON.readTree((String) order.get("lines"))).isEqualTo(JSON.readTree(
                "[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250},{\"sku\":\"s2\",\"quantity\":1,\"unitPrice\":99}]"));

        List<Map<String, Object>> outbox = db.query("SELECT id, aggregatetype, aggregateid, type, payload::text AS payload "
                + "FROM outbox WHERE aggregateid = ?", accepted.orderId());
        assertThat(outbox).hasSize(1);
        Map<String, Object> event = outbox.get(0);
        String eventId = event.get("id").toString();
        assertThat(event).containsEntry("aggregatetype", "order").containsEntry("aggregateid", accepted.orderId())
                .containsEntry("type", "OrderPlaced");
        String payload = (String) event.get("payload");
        assertThat(JSON.readTree(payload)).isEqualTo(JSON.readTree("{\"type\":\"OrderPlaced\",\"eventId\":\"" + eventId
                + "\",\"orderId\":\"" + accepted.orderId() + "\",\"customerId\":\"" + customer + "\",\"currency\":\"EUR\","
                + "\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250},{\"sku\":\"s2\",\"quantity\":1,\"unitPrice\":99}]}"));
        assertThat(READER.orderEvent(payload.getBytes(StandardCharsets.UTF_8))).isEqualTo(new OrderEvent(eventId,
                accepted.orderId(), new OrderPlaced(customer, "EUR",
                List.of(new OrderLine("s1", 2, 1250L), new OrderLine("s2", 1, 99L)), null)));
    }

    @Test
    void shouldKeepTheNoteInTheOrderRowAndTheOutboxEventWhenTheOrderHasOne() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        String note = "Leave it with the neighbour\nat no. 5, caf\u00e9 \"Zur Post\"";
        PlaceOrderRequest request = new PlaceOrderRequest(customer, "EUR",
                List.of(new PlaceOrderRequest.Line("s1", 1, 100)), note);

        // When
        OrderAccepted accepted = keeping.placeOrder("k-note", request);
        OrderAccepted repeated = keeping.placeOrder("k-note", request);

        // Then the row, the event and a repeat all carry it
        assertThat(db.query("SELECT note FROM orders WHERE order_id = ?", accepted.orderId()).get(0))
                .containsEntry("note", note);
        String payload = (String) db.query("SELECT payload::text AS payload FROM outbox WHERE aggregateid = ?",
                accepted.orderId()).get(0).get("payload");
        OrderPlaced placed = (OrderPlaced) READER.orderEvent(payload.getBytes(StandardCharsets.UTF_8)).getEvent();
        assertThat(placed.getNote()).isEqualTo(note);
        assertThat(repeated.orderId()).isEqualTo(accepted.orderId());
        assertThat(repeated.replayed()).isTrue();

        // And the same key with another note is another request
        assertThatThrownBy(() -> keeping.placeOrder("k-note", new PlaceOrderRequest(customer, "EUR",
                List.of(new PlaceOrderRequest.Line("s1", 1, 100)), "another note")))
                .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    void shouldRefuseNamingTheRuleWhenTheNoteIsTooLongOrHoldsControlCharacters() {
        // Given
        String customer = "c-" + UUID.randomUUID();
        List<PlaceOrderRequest.Line> lines = List.of(new PlaceOrderRequest.Line("s1", 1, 100));

        // When / Then
        assertThatThrownBy(() -> keeping.placeOrder("k-long", new PlaceOrderRequest(customer, "EUR", lines,
                "x".repeat(501))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("note must be at most 500 characters, was 501");
        assertThatThrownBy(() -> keeping.placeOrder("k-bell", new PlaceOrderRequest(customer, "EUR", lines,
                "ring\u0007")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("note must not contain control characters; character 5 is U+0007");
        assertThat(db.query("SELECT order_id FROM orders WHERE customer_id = ?", customer)).isEmpty();
    }

    @Test
    void shouldStreamOutboxInsertButKeepTableEmptyWhenModeIsDelete() {
        // Given: a logical replication slot sees what Debezium would see
        String slot = "intake_test_" + UUID.randomUUID().toString().replace("-", "");
        db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
        try {
            // When
            OrderAccepted accepted = deleting.placeOrder("k1",
                    new PlaceOrderRequest("c-" + UUID.randomUUID(), "EUR", List.of(new PlaceOrderRequest.Line("s1", 1, 5))));

            // Then: the order is stored, the outbox table holds nothing, and the WAL has the INSERT then the DELETE
            assertThat(db.count("SELECT count(*) FROM orders WHERE order_id = ?", accepted.orderId())).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", accepted.orderId())).isZero();
            List<String> changes = db.query("SELECT data FROM pg_logical_slot_get_changes('" + slot
                            + "', NULL, NULL, 'skip-empty-xacts', '1')").stream().map(row -> (String) row.get("data")).toList();
            List<String> outboxChanges = changes.stream().filter(c -> c.startsWith("table public.outbox:")).toList();
            assertThat(outboxChanges).hasSize(2);
            assertThat(outboxChanges.get(0)).startsWith("table public.outbox: INSERT:")
                    .contains("aggregatetype[text]:'order'", "aggregateid[text]:'" + accepted.orderId() + "'",
                            "type[text]:'OrderPlaced'", "\"type\": \"OrderPlaced\"");
            assertThat(outboxChanges.get(1)).startsWith("table public.outbox: DELETE:");
            assertThat(changes.stream().filter(c -> c.startsWith("BEGIN")).count())
                    .as("order, key and outbox rows in one transaction").isEqualTo(1);
        } finally {
            db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    @Test
    void shouldWriteOrderCancelRequestedEventWhenOrderExists() {
        // Given
        String orderId = keeping.placeOrder("k1", new PlaceOrderRequest("c-" + UUID.randomUUID(), "EUR",
                List.of(new PlaceOrderRequest.Line("s1", 1, 5)))).orderId();

        // When
        OrderAccepted accepted = keeping.cancelOrder(orderId, null);

        // Then
        assertThat(accepted).isEqualTo(new OrderAccepted(orderId, "CANCEL_REQUESTED", false));
        assertThat(db.query("SELECT status FROM orders WHERE order_id = ?", orderId).get(0))
                .containsEntry("status", "CANCEL_REQUESTED");
        Map<String, Object> event = db.query("SELECT id, aggregatetype, payload::text AS payload FROM outbox "
                + "WHERE aggregateid = ? AND type = 'OrderCancelRequested'", orderId).get(0);
        assertThat(event).containsEntry("aggregatetype", "order");
        String payload = (String) event.get("payload");
        assertThat(READER.orderEvent(payload.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new OrderEvent(event.get("id").toString(), orderId, new OrderCancelRequested()));
    }

    @Test
    void shouldThrowNotFoundAndWriteNothingWhenCancellingUnknownOrder() {
        // Given
        String orderId = "o-never-placed-" + UUID.randomUUID();

        // When / Then
        assertThatThrownBy(() -> keeping.cancelOrder(orderId, "k1"))
                .isInstanceOf(NotFoundException.class).hasMessageContaining(orderId);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", orderId)).isZero();
    }

    @Test
    void shouldLeaveNoOrderAndFreeTheKeyWhenOutboxInsertFails() {
        // Given: an outbox that refuses every new row
        String customer = "c-" + UUID.randomUUID();
        PlaceOrderRequest request = new PlaceOrderRequest(customer, "EUR", List.of(new PlaceOrderRequest.Line("s1", 1, 5)));
        db.execute("ALTER TABLE outbox ADD CONSTRAINT test_refuse_rows CHECK (false) NOT VALID");
        try {
            // When / Then
            assertThatThrownBy(() -> keeping.placeOrder("k1", request))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("test_refuse_rows");
            assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isZero();
            assertThat(db.count("SELECT count(*) FROM idempotency_keys WHERE customer_id = ?", customer)).isZero();
        } finally {
            db.execute("ALTER TABLE outbox DROP CONSTRAINT test_refuse_rows");
        }

        // And when the outbox works again, the same key places the order
        OrderAccepted retried = keeping.placeOrder("k1", request);
        assertThat(retried.replayed()).isFalse();
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
    }

    @Test
    void shouldDeleteOnlyOldRowsWhenPurgingOutboxByAge() {
        // Given: one event aged two hours and one fresh
        String old = keeping.placeOrder("k1", new PlaceOrderRequest("c-" + UUID.randomUUID(), "EUR",
                List.of(new PlaceOrderRequest.Line("s1", 1, 5)))).orderId();
        String fresh = keeping.placeOrder("k1", new PlaceOrderRequest("c-" + UUID.randomUUID(), "EUR",
                List.of(new PlaceOrderRequest.Line("s1", 1, 5)))).orderId();
        db.execute("UPDATE outbox SET created_at = now() - interval '2 hours' WHERE aggregateid = '" + old + "'");

        // When
        int purged = keeping.purgeOutbox(Duration.ofHours(1));

        // Then
        assertThat(purged).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", old)).isZero();
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ?", fresh)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM orders WHERE order_id = ?", old)).as("orders are never purged")
                .isEqualTo(1);
    }
}
