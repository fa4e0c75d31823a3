package io.orderflow.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The intake's tables: each public method is one PostgreSQL transaction (READ COMMITTED). The primary key of
 * {@code idempotency_keys} decides which of several equal requests wins: {@code INSERT ... ON CONFLICT DO NOTHING}
 * waits for a racing transaction with the same key and, once that one commits, inserts nothing, so the loser reads
 * the winner's answer and writes nothing else.
 */
final class OrderStore {
    private static final Logger log = LoggerFactory.getLogger(OrderStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final DataSource dataSource;
    private final OutboxMode outboxMode;

    OrderStore(DataSource dataSource, OutboxMode outboxMode) {
        this.dataSource = dataSource;
        this.outboxMode = outboxMode;
    }

    /** Who asked, under which key, for what (a digest of the request, to tell a repeat from a reused key). */
    record Claim(String customerId, String key, String fingerprint) {
    }

    /** An order row to insert; {@code linesJson} is the JSON array of its lines. */
    record NewOrder(String orderId, String customerId, String currency, long total, String linesJson) {
    }

    /** An outbox row; {@code payload} is the JSON text of the event. */
    record OutboxEvent(UUID id, String aggregateType, String aggregateId, String type, String payload) {
    }

    /** The answer to a claim: this request's own, or the stored first answer with the fingerprint it was given for. */
    record Answer(String orderId, String status, String fingerprint, boolean replayed) {
    }

    /** Inserts the key, the order and its event, or, if the customer already used the key, returns the first answer. */
    Answer placeOrder(Claim claim, NewOrder order, OutboxEvent event) {
        return inTransaction("placing order " + order.orderId(), connection -> {
            Answer answer = new Answer(order.orderId(), OrderAccepted.PLACED, claim.fingerprint(), false);
            if (!claimKey(connection, claim, answer)) {
                return storedAnswer(connection, claim);
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO orders (order_id, customer_id, currency, total, lines, status) "
                            + "VALUES (?, ?, ?, ?, ?::jsonb, ?)")) {
                insert.setString(1, order.orderId());
                insert.setString(2, order.customerId());
                insert.setString(3, order.currency());
                insert.setLong(4, order.total());
                insert.setString(5, order.linesJson());
                insert.setString(6, OrderAccepted.PLACED);
                insert.executeUpdate();
            }
            writeOutbox(connection, event);
            return answer;
        });
    }

    /**
     * Records a cancellation request for an existing order and writes its event; with a key, a repeat returns the
     * first answer. Empty when the order does not exist (nothing written).
     */
    Optional<Answer> requestCancel(String orderId, String key, String fingerprint, OutboxEvent event) {
        return inTransaction("requesting cancellation of order " + orderId, connection -> {
            String customerId;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT customer_id FROM orders WHERE order_id = ?")) {
                select.setString(1, orderId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    customerId = row.getString(1);
                }
            }
            Answer answer = new Answer(orderId, OrderAccepted.CANCEL_REQUESTED, fingerprint, false);
            if (key != null) {
                Claim claim = new Claim(customerId, key, fingerprint);
                if (!claimKey(connection, claim, answer)) {
                    return Optional.of(storedAnswer(connection, claim));
                }
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE orders SET status = ? WHERE order_id = ?")) {
                update.setString(1, OrderAccepted.CANCEL_REQUESTED);
                update.setString(2, orderId);
                update.executeUpdate();
            }
            writeOutbox(connection, event);
            return Optional.of(answer);
        });
    }

    /** Deletes outbox rows created before {@code cutoff}; returns how many. */
    int purgeOutbox(Instant cutoff) {
        return inTransaction("purging the outbox", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE created_at < ?")) {
                delete.setTimestamp(1, Timestamp.from(cutoff));
                return delete.executeUpdate();
            }
        });
    }

    /** True when the key was free and is now this request's; false when another request holds it. */
    private static boolean claimKey(Connection connection, Claim claim, Answer answer) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO idempotency_keys (customer_id, idempotency_key, order_id, request_fingerprint, response) "
                        + "VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT (customer_id, idempotency_key) DO NOTHING")) {
            insert.setString(1, claim.customerId());
            insert.setString(2, claim.key());
            insert.setString(3, answer.orderId());
            insert.setString(4, claim.fingerprint());
            insert.setString(5, toJson(Map.of("orderId", answer.orderId(), "status", answer.status())));
            return insert.executeUpdate() == 1;
        }
    }

    private static Answer storedAnswer(Connection connection, Claim claim) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT request_fingerprint, response::text FROM idempotency_keys "
                        + "WHERE customer_id = ? AND idempotency_key = ?")) {
            select.setString(1, claim.customerId());
            select.setString(2, claim.key());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    // The key vanished between the conflict and this read (only a manual purge does that).
                    throw new SQLException("idempotency key disappeared while being read", "40001");
                }
                JsonNode response = JSON.readTree(row.getString(2));
                return new Answer(response.get("orderId").textValue(), response.get("status").textValue(),
                        row.getString(1), true);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored answer for Idempotency-Key '" + claim.key()
                        + "' of customer " + claim.customerId() + " is not JSON", e);
            }
        }
    }

    private void writeOutbox(Connection connection, OutboxEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, ?, ?, ?, ?::jsonb)")) {
            insert.setObject(1, event.id());
            insert.setString(2, event.aggregateType());
            insert.setString(3, event.aggregateId());
            insert.setString(4, event.type());
            insert.setString(5, event.payload());
            insert.executeUpdate();
        }
        if (outboxMode == OutboxMode.DELETE) {
            // The INSERT is already in the WAL for Debezium; the router ignores this DELETE.
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
                delete.setObject(1, event.id());
                delete.executeUpdate();
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                try {
                    T result = work.run(connection);
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    Database.rollback(connection, e);
                    throw e;
                }
            } catch (SQLException e) {
                if (Database.isRetryable(e) && attempt < ATTEMPTS) {
                    log.debug("{}: attempt {} met {}, retrying", what, attempt, e.getSQLState());
                    continue;
                }
                if (Database.isUnavailable(e)) {
                    throw new DatabaseUnavailableException("the order database is unavailable while " + what + ": "
                            + Database.rootMessage(e), e);
                }
                throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }
}
