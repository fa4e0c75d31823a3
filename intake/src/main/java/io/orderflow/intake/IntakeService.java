package io.orderflow.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.orderflow.crypto.FieldCipher;
import io.orderflow.crypto.KeyRing;
import io.orderflow.domain.Ids;
import io.orderflow.domain.OrderValidation;
import io.orderflow.serde.IngressJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Order intake without HTTP: validates a request with the saga's own rules, then writes the order and its
 * {@code order.events} event (an outbox row, turned into a Kafka record by Debezium's EventRouter) in one PostgreSQL
 * transaction. An Idempotency-Key is unique per customer: a repeat gets the first answer and writes nothing, even when
 * the repeats race. Concurrent orders share PostgreSQL transactions (group commit, {@link GroupCommit}); each caller
 * is answered once its own transaction committed. Thread-safe; {@link #close()} releases the connection pool.
 */
public final class IntakeService implements AutoCloseable {
    /** Routes the outbox rows to {@code order.events} in Debezium's EventRouter ({@code aggregatetype}). */
    public static final String AGGREGATE_TYPE = "order";
    public static final String ORDER_PLACED = "OrderPlaced";
    public static final String ORDER_CANCEL_REQUESTED = "OrderCancelRequested";
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;
    /** The group role (V3 migration) the intake's login user is granted: writes the tables, reads no event. */
    public static final String WRITER_ROLE = "orderflow_intake_writer";
    /** The group role (V3 migration) Debezium's {@code LOGIN REPLICATION} user is granted: reads the outbox. */
    public static final String OUTBOX_READER_ROLE = "orderflow_outbox_reader";

    private static final Logger log = LoggerFactory.getLogger(IntakeService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HikariDataSource pool;
    private final OrderStore store;
    private final GroupCommit groupCommit;
    private final DatabaseGuard guard;
    private final IntakeMetrics metrics;
    /** Seals personal data before it is stored; null when {@code intake.encryption.keys} is not set. */
    private final FieldCipher cipher;
    /** A span per request; its context goes into the outbox row for the saga to continue the trace. */
    private final Tracer tracer;

    private IntakeService(HikariDataSource pool, IntakeConfig config, IntakeMetrics metrics, FieldCipher cipher,
                          OpenTelemetry openTelemetry) {
        this.pool = pool;
        this.cipher = cipher;
        this.tracer = openTelemetry.getTracer("io.orderflow.intake");
        this.store = new OrderStore(pool, config.outboxMode());
        this.groupCommit = new GroupCommit(store, config.batchMax(), config.batchWriters(), config.requestTimeout());
        this.guard = new DatabaseGuard(metrics.registry());
        this.metrics = metrics;
        metrics.bindOutboxTable(pool, config.outboxMode());
    }

    /**
     * Brings the schema of {@code config}'s database up to date without starting an intake: for the database's owner,
     * when the intake itself logs in as a {@link #WRITER_ROLE} user that may not change the schema. Fails with an
     * {@link IllegalStateException} naming the URL (never the password).
     */
    public static void migrate(IntakeConfig config) {
        Database.migrate(config);
    }

    /** {@link #start(IntakeConfig, MeterRegistry)} with meters nobody exports (tests, tools). */
    public static IntakeService start(IntakeConfig config) {
        return start(config, new SimpleMeterRegistry());
    }

    /**
     * Connects to the database of {@code config} and migrates its schema; the intake's meters
     * ({@link IntakeMetrics}) go to {@code registry}. Fails with an {@link IllegalStateException} naming the URL
     * (never the password) when the database cannot be reached or migrated, or the keys file when it cannot serve.
     */
    public static IntakeService start(IntakeConfig config, MeterRegistry registry) {
        return start(config, registry, OpenTelemetry.noop());
    }

    /**
     * As {@link #start(IntakeConfig, MeterRegistry)}, tracing each request through {@code openTelemetry}: a span
     * per request (a child of the caller's {@code traceparent} when the HTTP layer made it current), whose W3C
     * context the outbox row carries to the saga.
     */
    public static IntakeService start(IntakeConfig config, MeterRegistry registry, OpenTelemetry openTelemetry) {
        KeyRing keys = config.encryptionKeys() == null ? null : keyRing(config.encryptionKeys());
        IntakeService service = new IntakeService(Database.open(config), config, new IntakeMetrics(registry),
                keys == null ? null : new FieldCipher(keys), openTelemetry);
        log.info("Order intake connected to {} (pool {}, outbox mode {}, up to {} orders per transaction, {} writers)",
                config.redactedUrl(), config.poolSize(), config.outboxMode(), config.batchMax(), config.batchWriters());
        if (keys == null) {
            log.warn("Personal data (an order's note) is stored as given: set {} to seal it", IntakeConfig.ENCRYPTION_KEYS);
        } else {
            log.info("Personal data sealed with key '{}' of {}", keys.activeId(), config.encryptionKeys());
        }
        return service;
    }

    /**
     * Places an order, or answers a repeat of an earlier request of the same customer with the same key.
     *
     * @throws ValidationException           the key or the order breaks a rule (the message names the field)
     * @throws IdempotencyConflictException  the customer used this key for a different request
     * @throws DatabaseUnavailableException  PostgreSQL cannot be reached; retrying with the same key is safe
     */
    public OrderAccepted placeOrder(String idempotencyKey, PlaceOrderRequest request) {
        return traced("POST /orders", "intake.place", null, traceparent -> place(idempotencyKey, request,
                traceparent));
    }

    private OrderAccepted place(String idempotencyKey, PlaceOrderRequest request, String traceparent) {
        requireValidKey(idempotencyKey);
        OrderPlaced placed = toOrderPlaced(request);
        String orderId = newOrderId();
        UUID eventId = UUID.randomUUID();
        // Personal data is sealed for this order before it is stored: in the row and in the outbox event alike.
        String note = cipher == null ? placed.getNote() : cipher.seal(placed.getNote(), orderId);
        OrderPlaced stored = note == null || note.equals(placed.getNote()) ? placed
                : OrderPlaced.newBuilder(placed).setNote(note).build();
        String payload = json(IngressJson.write(new OrderEvent(eventId.toString(), orderId, stored)));
        String fingerprint = fingerprint(placeRequest(placed));
        OrderStore.Answer answer = counted(() -> Optional.of(groupCommit.place(new OrderStore.Placement(
                new OrderStore.Claim(placed.getCustomerId(), idempotencyKey, fingerprint),
                new OrderStore.NewOrder(orderId, placed.getCustomerId(), placed.getCurrency(),
                        OrderValidation.total(placed.getLines()), linesJson(placed.getLines()), note),
                new OrderStore.OutboxEvent(eventId, AGGREGATE_TYPE, orderId, ORDER_PLACED, payload, traceparent)))))
                .orElseThrow();
        metrics.idempotencyChecked(answer.replayed());
        if (answer.replayed()) {
            requireSameRequest(answer, fingerprint, idempotencyKey, "customer " + placed.getCustomerId());
            log.debug("Idempotency-Key '{}' of customer {} replayed: order {}", idempotencyKey,
                    placed.getCustomerId(), answer.orderId());
        } else {
            log.debug("Order {} placed for customer {} ({} lines), event {}", orderId, placed.getCustomerId(),
                    placed.getLines().size(), eventId);
        }
        return new OrderAccepted(answer.orderId(), answer.status(), answer.replayed());
    }

    /** The keys file, or why it cannot serve: named by its setting. */
    private static KeyRing keyRing(java.nio.file.Path file) {
        try {
            return KeyRing.load(file);
        } catch (RuntimeException e) {
            throw new IllegalStateException(IntakeConfig.ENCRYPTION_KEYS + ": " + e.getMessage(), e);
        }
    }

    /**
     * Requests the cancellation of an order: writes an {@code OrderCancelRequested} event; the saga decides what it
     * means (compensate, refund, or nothing for an order already cancelled). With a key, a repeat gets the first answer
     * and writes nothing; without one, every call writes an event, and the saga ignores all but the first (a cancel
     * of an order already compensating or cancelled changes nothing).
     *
     * @throws ValidationException           a malformed order id or key
     * @throws NotFoundException             the intake never accepted this order
     * @throws IdempotencyConflictException  the order's customer used this key for a different request
     * @throws DatabaseUnavailableException  PostgreSQL cannot be reached
     */
    public OrderAccepted cancelOrder(String orderId, String idempotencyKey) {
        return traced("POST /orders/{id}/cancel", "intake.cancel", orderId, traceparent -> cancel(orderId,
                idempotencyKey, traceparent));
    }

    private OrderAccepted cancel(String orderId, String idempotencyKey, String traceparent) {
        String problem = Ids.problem("orderId", orderId);
        if (problem != null) {
            throw new ValidationException(problem);
        }
        if (idempotencyKey != null) {
            requireValidKey(idempotencyKey);
        }
        UUID eventId = UUID.randomUUID();
        String payload = json(IngressJson.write(new OrderEvent(eventId.toString(), orderId, new OrderCancelRequested())));
        String fingerprint = fingerprint(List.of(ORDER_CANCEL_REQUESTED, orderId));
        OrderStore.Answer answer = counted(() -> store.requestCancel(orderId, idempotencyKey, fingerprint,
                        new OrderStore.OutboxEvent(eventId, AGGREGATE_TYPE, orderId, ORDER_CANCEL_REQUESTED, payload,
                                traceparent)))
                .orElseThrow(() -> new NotFoundException("no order '" + orderId + "'"));
        if (idempotencyKey != null) {
            metrics.idempotencyChecked(answer.replayed());
        }
        if (answer.replayed()) {
            requireSameRequest(answer, fingerprint, idempotencyKey, "the customer of order " + orderId);
        } else {
            log.debug("Cancellation of order {} requested, event {}", orderId, eventId);
        }
        return new OrderAccepted(answer.orderId(), answer.status(), answer.replayed());
    }

    /**
     * Runs {@code work} in a server span {@code name} (a child of the current context), handing it the span's W3C
     * {@code traceparent} (null when tracing is off) and marking the order the answer names.
     */
    private OrderAccepted traced(String name, String step, String orderId, Function<String, OrderAccepted> work) {
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER)
                .setAttribute(AttributeKey.stringKey("saga.step"), step).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            OrderAccepted accepted = work.apply(traceparent(span));
            span.setAttribute(AttributeKey.stringKey("saga.id"), accepted.orderId());
            span.setAttribute(AttributeKey.booleanKey("orderflow.idempotent_replay"), accepted.replayed());
            return accepted;
        } catch (RuntimeException e) {
            if (orderId != null) {
                span.setAttribute(AttributeKey.stringKey("saga.id"), orderId);
            }
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** The W3C {@code traceparent} of {@code span}; null when tracing is off (its context is then invalid). */
    private static String traceparent(Span span) {
        if (!span.getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current().with(span), carrier, Map::put);
        return carrier.get("traceparent");
    }

    /**
     * Deletes outbox rows older than {@code age}, for {@link OutboxMode#KEEP}; pick an age well beyond the connector's
     * lag. Returns how many rows were deleted.
     */
    public int purgeOutbox(Duration age) {
        if (age == null || age.isNegative()) {
            throw new IllegalArgumentException("age must be >= 0, was " + age);
        }
        int purged = store.purgeOutbox(Instant.now().minus(age));
        log.debug("Purged {} outbox rows older than {}", purged, age);
        return purged;
    }

    /**
     * Runs a write of one outbox row and counts it: written once its transaction committed (a replay, or no order,
     * writes nothing), failed when the write throws (nothing was committed; the request is answered 5xx).
     */
    private Optional<OrderStore.Answer> counted(Supplier<Optional<OrderStore.Answer>> write) {
        Optional<OrderStore.Answer> answer;
        try {
            answer = guard.call(write);
        } catch (RuntimeException e) {
            metrics.outboxFailed();
            throw e;
        }
        if (answer.isPresent() && !answer.get().replayed()) {
            metrics.outboxWritten();
        }
        return answer;
    }

    /** The intake's meters, for the HTTP layer's request timer. */
    public IntakeMetrics metrics() {
        return metrics;
    }

    /** Orders waiting for the next group-commit transaction; for tests and diagnostics. */
    int queuedOrders() {
        return groupCommit.queued();
    }

    /** Answers the orders still queued for a transaction "unavailable", then closes the pool. */
    @Override
    public void close() {
        try {
            groupCommit.close();
        } finally {
            metrics.close();
            pool.close();
        }
    }

    /** The request as the saga will see it, checked with the saga's own rules. */
    static OrderPlaced toOrderPlaced(PlaceOrderRequest request) {
        if (request == null) {
            throw new ValidationException("the order is missing");
        }
        String customer = Ids.problem("customerId", request.customerId());
        if (customer != null) {
            throw new ValidationException(customer);
        }
        if (request.lines() == null) {
            throw new ValidationException("lines is missing");
        }
        List<OrderLine> lines = new ArrayList<>(request.lines().size());
        for (int i = 0; i < request.lines().size(); i++) {
            PlaceOrderRequest.Line line = request.lines().get(i);
            if (line == null) {
                throw new ValidationException("lines[" + i + "] is missing");
            }
            lines.add(new OrderLine(line.sku(), line.quantity(), line.unitPrice()));
        }
        OrderPlaced placed = new OrderPlaced(request.customerId(), request.currency(), lines, request.note());
        String problem = OrderValidation.problem(placed);
        if (problem != null) {
            throw new ValidationException(problem);
        }
        return placed;
    }

    static void requireValidKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new ValidationException("Idempotency-Key is required");
        }
        if (key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            throw new ValidationException("Idempotency-Key must be at most " + MAX_IDEMPOTENCY_KEY_LENGTH
                    + " characters, was " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new ValidationException("Idempotency-Key must be printable ASCII characters; character "
                        + (i + 1) + " is U+" + String.format("%04X", (int) c));
            }
        }
        if (key.isBlank()) {
            throw new ValidationException("Idempotency-Key must not be blank");
        }
    }

    private static void requireSameRequest(OrderStore.Answer stored, String fingerprint, String key, String owner) {
        if (!stored.fingerprint().equals(fingerprint)) {
            throw new IdempotencyConflictException("Idempotency-Key '" + key + "' was already used by " + owner
                    + " for a different request (answered with order " + stored.orderId()
                    + "); send a new key for a new request");
        }
    }

    private static String newOrderId() {
        return "o-" + UUID.randomUUID();
    }

    private static List<Object> placeRequest(OrderPlaced placed) {
        List<Object> lines = new ArrayList<>();
        for (OrderLine line : placed.getLines()) {
            lines.add(List.of(line.getSku(), line.getQuantity(), line.getUnitPrice()));
        }
        List<Object> request = new ArrayList<>(List.of(ORDER_PLACED, placed.getCustomerId(), placed.getCurrency(), lines));
        if (placed.getNote() != null) {
            request.add(placed.getNote()); // only when given: a key stored before notes existed still matches
        }
        return request;
    }

    /** An order line as the outbox payload carries it: the fields of the contract, in its order. */
    private record Line(String sku, int quantity, long unitPrice) {
    }

    private static String linesJson(List<OrderLine> lines) {
        return json(lines.stream().map(l -> new Line(l.getSku(), l.getQuantity(), l.getUnitPrice())).toList());
    }

    /** SHA-256 of the request's canonical JSON: equal requests, equal fingerprints. */
    private static String fingerprint(Object canonical) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(json(canonical).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static String json(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }
}
