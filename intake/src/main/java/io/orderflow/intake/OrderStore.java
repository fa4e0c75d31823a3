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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The intake's tables: each public method is one PostgreSQL transaction (READ COMMITTED). The primary key of
 * {@code idempotency_keys} decides which of several equal requests wins: {@code INSERT ... ON CONFLICT DO NOTHING}
 * waits for a racing transaction with the same key and, once that one commits, inserts nothing, so the loser reads
 * the winner's answer and writes nothing else. {@link #placeOrders} does the same for many orders in one transaction
 * (group commit), with one statement per table rather than per order.
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

    /** An order row to insert; {@code linesJson} is the JSON array of its lines, {@code note} null when none. */
    record NewOrder(String orderId, String customerId, String currency, long total, String linesJson, String note) {
    }

    /** An outbox row; {@code payload} is the JSON text of the event. */
    record OutboxEvent(UUID id, String aggregateType, String aggregateId, String type, String payload,
                       String traceparent) {
        /** An event written outside any trace. */
        OutboxEvent(UUID id, String aggregateType, String aggregateId, String type, String payload) {
            this(id, aggregateType, aggregateId, type, payload, null);
        }
    }

    /** The answer to a claim: this request's own, or the stored first answer with the fingerprint it was given for. */
    record Answer(String orderId, String status, String fingerprint, boolean replayed) {
    }

    /** One order of a batch: what {@link #placeOrder} takes. */
    record Placement(Claim claim, NewOrder order, OutboxEvent event) {
    }

    private record KeyOf(String customerId, String key) {
        static KeyOf of(Claim claim) {
            return new KeyOf(claim.customerId(), claim.key());
        }
    }

    private static final Comparator<Placement> LOCK_ORDER = Comparator
            .comparing((Placement p) -> p.claim().customerId()).thenComparing(p -> p.claim().key());

    /**
     * Places many orders in one transaction, answering each as {@link #placeOrder} would, in the order given. Within
     * the batch the first request with a key is its leader; a later one with the same customer and key writes nothing
     * and gets the leader's answer as a replay. Keys are claimed in (customer, key) order, so two batches that share
     * keys wait for each other instead of deadlocking. Fails as a whole (nothing written) when the transaction fails.
     */
    List<Answer> placeOrders(List<Placement> batch) {
        if (batch.size() == 1) {
            Placement only = batch.get(0);
            return List.of(placeOrder(only.claim(), only.order(), only.event()));
        }
        Map<KeyOf, Placement> leaders = new LinkedHashMap<>();
        for (Placement placement : batch) {
            leaders.putIfAbsent(KeyOf.of(placement.claim()), placement);
        }
        List<Placement> claims = new ArrayList<>(leaders.values());
        claims.sort(LOCK_ORDER);
        return inTransaction("placing a batch of " + batch.size() + " orders", connection -> {
            List<KeyOf> claimed = claimKeys(connection, claims);
            Map<KeyOf, Answer> answers = new HashMap<>();
            List<Placement> placed = new ArrayList<>(claimed.size());
            for (KeyOf key : claimed) {
                Placement leader = leaders.get(key);
                placed.add(leader);
                answers.put(key, new Answer(leader.order().orderId(), OrderAccepted.PLACED,
                        leader.claim().fingerprint(), false));
            }
            List<KeyOf> taken = new ArrayList<>();
            for (KeyOf key : leaders.keySet()) {
                if (!answers.containsKey(key)) {
                    taken.add(key);
                }
            }
            answers.putAll(storedAnswers(connection, taken));
            insertOrders(connection, placed);
            writeOutbox(connection, placed.stream().map(Placement::event).toList());
            List<Answer> result = new ArrayList<>(batch.size());
            for (Placement placement : batch) {
                Answer answer = answers.get(KeyOf.of(placement.claim()));
                boolean leader = leaders.get(KeyOf.of(placement.claim())) == placement;
                result.add(leader || answer.replayed() ? answer
                        : new Answer(answer.orderId(), answer.status(), answer.fingerprint(), true));
            }
            return result;
        });
    }

    /** Inserts the key, the order and its event, or, if the customer already used the key, returns the first answer. */
    Answer placeOrder(Claim claim, NewOrder order, OutboxEvent event) {
        return inTransaction("placing order " + order.orderId(), connection -> {
            Answer answer = new Answer(order.orderId(), OrderAccepted.PLACED, claim.fingerprint(), false);
            if (!claimKey(connection, claim, answer)) {
                return storedAnswer(connection, claim);
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO orders (order_id, customer_id, currency, total, lines, status, note) "
                            + "VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)")) {
                insert.setString(1, order.orderId());
                insert.setString(2, order.customerId());
                insert.setString(3, order.currency());
                insert.setLong(4, order.total());
                insert.setString(5, order.linesJson());
                insert.setString(6, OrderAccepted.PLACED);
                insert.setString(7, order.note());
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

    /** Claims the keys of {@code claims} (in lock order) and answers those that were free and are now claimed. */
    private static List<KeyOf> claimKeys(Connection connection, List<Placement> claims) throws SQLException {
        int n = claims.size();
        String[] customers = new String[n];
        String[] keys = new String[n];
        String[] orderIds = new String[n];
        String[] fingerprints = new String[n];
        String[] responses = new String[n];
        for (int i = 0; i < n; i++) {
            Placement p = claims.get(i);
            customers[i] = p.claim().customerId();
            keys[i] = p.claim().key();
            orderIds[i] = p.order().orderId();
            fingerprints[i] = p.claim().fingerprint();
            responses[i] = toJson(Map.of("orderId", p.order().orderId(), "status", OrderAccepted.PLACED));
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO idempotency_keys (customer_id, idempotency_key, order_id, request_fingerprint, response) "
                        + "SELECT c, k, o, f, r::jsonb FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                        + "WITH ORDINALITY AS t(c, k, o, f, r, n) ORDER BY n "
                        + "ON CONFLICT (customer_id, idempotency_key) DO NOTHING "
                        + "RETURNING customer_id, idempotency_key")) {
            insert.setArray(1, connection.createArrayOf("text", customers));
            insert.setArray(2, connection.createArrayOf("text", keys));
            insert.setArray(3, connection.createArrayOf("text", orderIds));
            insert.setArray(4, connection.createArrayOf("text", fingerprints));
            insert.setArray(5, connection.createArrayOf("text", responses));
            List<KeyOf> claimed = new ArrayList<>(n);
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    claimed.add(new KeyOf(rows.getString(1), rows.getString(2)));
                }
            }
            return claimed;
        }
    }

    /** The stored first answers of keys another transaction claimed. */
    private static Map<KeyOf, Answer> storedAnswers(Connection connection, List<KeyOf> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Map.of();
        }
        String[] customers = keys.stream().map(KeyOf::customerId).toArray(String[]::new);
        String[] names = keys.stream().map(KeyOf::key).toArray(String[]::new);
        Map<KeyOf, Answer> answers = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT i.customer_id, i.idempotency_key, i.request_fingerprint, i.response::text "
                        + "FROM idempotency_keys i JOIN unnest(?::text[], ?::text[]) AS t(c, k) "
                        + "ON i.customer_id = t.c AND i.idempotency_key = t.k")) {
            select.setArray(1, connection.createArrayOf("text", customers));
            select.setArray(2, connection.createArrayOf("text", names));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    KeyOf key = new KeyOf(row.getString(1), row.getString(2));
                    answers.put(key, storedAnswer(key, row.getString(3), row.getString(4)));
                }
            }
        }
        if (answers.size() < keys.size()) {
            // A key vanished between the conflict and this read (only a manual purge does that).
            throw new SQLException("idempotency key disappeared while being read", "40001");
        }
        return answers;
    }

    private static Answer storedAnswer(KeyOf key, String fingerprint, String responseJson) {
        try {
            JsonNode response = JSON.readTree(responseJson);
            return new Answer(response.get("orderId").textValue(), response.get("status").textValue(), fingerprint,
                    true);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer for Idempotency-Key '" + key.key() + "' of customer "
                    + key.customerId() + " is not JSON", e);
        }
    }

    private static void insertOrders(Connection connection, List<Placement> placed) throws SQLException {
        if (placed.isEmpty()) {
            return;
        }
        int n = placed.size();
        String[] orderIds = new String[n];
        String[] customers = new String[n];
        String[] currencies = new String[n];
        Long[] totals = new Long[n];
        String[] lines = new String[n];
        String[] notes = new String[n];
        for (int i = 0; i < n; i++) {
            NewOrder order = placed.get(i).order();
            orderIds[i] = order.orderId();
            customers[i] = order.customerId();
            currencies[i] = order.currency();
            totals[i] = order.total();
            lines[i] = order.linesJson();
            notes[i] = order.note();
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO orders (order_id, customer_id, currency, total, lines, status, note) "
                        + "SELECT o, c, cur, t, l::jsonb, ?, n FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], "
                        + "?::text[], ?::text[]) AS u(o, c, cur, t, l, n)")) {
            insert.setString(1, OrderAccepted.PLACED);
            insert.setArray(2, connection.createArrayOf("text", orderIds));
            insert.setArray(3, connection.createArrayOf("text", customers));
            insert.setArray(4, connection.createArrayOf("text", currencies));
            insert.setArray(5, connection.createArrayOf("bigint", totals));
            insert.setArray(6, connection.createArrayOf("text", lines));
            insert.setArray(7, connection.createArrayOf("text", notes));
            insert.executeUpdate();
        }
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
                return storedAnswer(KeyOf.of(claim), row.getString(1), row.getString(2));
            }
        }
    }

    /** The events of a batch: one INSERT, and in {@link OutboxMode#DELETE} one DELETE, for all of them. */
    private void writeOutbox(Connection connection, List<OutboxEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] aggregateTypes = new String[n];
        String[] aggregateIds = new String[n];
        String[] types = new String[n];
        String[] payloads = new String[n];
        String[] traceparents = new String[n];
        for (int i = 0; i < n; i++) {
            OutboxEvent event = events.get(i);
            ids[i] = event.id();
            aggregateTypes[i] = event.aggregateType();
            aggregateIds[i] = event.aggregateId();
            types[i] = event.type();
            payloads[i] = event.payload();
            traceparents[i] = event.traceparent();
        }
        Object idArray = connection.createArrayOf("uuid", ids);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, traceparent) "
                        + "SELECT i, a, g, t, p::jsonb, c FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], "
                        + "?::text[], ?::text[]) WITH ORDINALITY AS u(i, a, g, t, p, c, n) ORDER BY n")) {
            insert.setObject(1, idArray);
            insert.setArray(2, connection.createArrayOf("text", aggregateTypes));
            insert.setArray(3, connection.createArrayOf("text", aggregateIds));
            insert.setArray(4, connection.createArrayOf("text", types));
            insert.setArray(5, connection.createArrayOf("text", payloads));
            insert.setArray(6, connection.createArrayOf("text", traceparents));
            insert.executeUpdate();
        }
        if (outboxMode == OutboxMode.DELETE) {
            // The INSERTs are already in the WAL for Debezium; the router ignores these DELETEs.
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE id = ANY(?::uuid[])")) {
                delete.setObject(1, idArray);
                delete.executeUpdate();
            }
        }
    }

    private void writeOutbox(Connection connection, OutboxEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, traceparent) "
                        + "VALUES (?, ?, ?, ?, ?::jsonb, ?)")) {
            insert.setObject(1, event.id());
            insert.setString(2, event.aggregateType());
            insert.setString(3, event.aggregateId());
            insert.setString(4, event.type());
            insert.setString(5, event.payload());
            insert.setString(6, event.traceparent());
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
