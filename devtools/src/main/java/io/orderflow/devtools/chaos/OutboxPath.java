package io.orderflow.devtools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.invariants.EventLog;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.IntakeServer;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.topology.Topics;
import io.orderflow.workload.WorkloadGenerator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code saga chaos --via outbox}: orders enter as a client service places them, through the intake's HTTP API
 * ({@code POST /orders}, {@code POST /orders/{id}/cancel}) into PostgreSQL, and reach {@code order.events} through
 * Debezium's outbox connector on a Kafka Connect worker that runs as its own process. The workload's well-formed
 * orders and their cancellations take this path (invalid ones get the intake's 400 and never reach a topic);
 * everything else — deposits, adjustments, hostile records — still goes straight to its topic.
 *
 * <p>Every request carries an {@code Idempotency-Key} (the workload's eventId) and is retried on a 5xx or no answer,
 * as a client must while PostgreSQL restarts. What the intake acknowledged is reconciled at rest against its own
 * table and the topics ({@link IntakeReconciliation}).
 */
final class OutboxPath implements AutoCloseable {
    /** How a request the intake refused is named among the run's refusals: {@code intake 400 (kind)}. */
    static final String REFUSED = "intake ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GIVE_UP = Duration.ofSeconds(120);
    private static final Duration RETRY = Duration.ofMillis(250);

    private final Path dir;
    private final int postgresPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The workload's order id to the intake's. */
    private final Map<String, String> orderIds = new HashMap<>();
    private final Set<String> placed = ConcurrentHashMap.newKeySet();
    private final Map<String, String> cancelKeys = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
    private final AtomicLong retries = new AtomicLong();
    private volatile LocalPostgres postgres;
    private IntakeService intake;
    private IntakeServer server;
    private ConnectProcess connect;
    private String base;

    OutboxPath(Path dir) {
        this.dir = dir;
        this.postgresPort = LoopbackPorts.free();
    }

    /** Starts PostgreSQL, the intake and the Connect worker with the outbox connector; returns when it runs. */
    void start(String bootstrap, int replication) {
        Path connector = connectorFile();
        postgres = startPostgres();
        Properties props = new Properties();
        props.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        props.put(IntakeConfig.JDBC_USER, postgres.user());
        props.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        intake = IntakeService.start(IntakeConfig.from(props));
        server = IntakeServer.start("127.0.0.1", 0, HttpAuth.none(), intake);
        base = "http://127.0.0.1:" + server.port();
        connect = new ConnectProcess(bootstrap, LoopbackPorts.free(), replication, connector,
                postgres.debeziumConnection(), dir);
        connect.start();
    }

    private LocalPostgres startPostgres() {
        return LocalPostgres.builder().port(postgresPort).dataDir(dir.resolve("postgres")).start();
    }

    /**
     * Sends {@code pipe} through the intake if it is an order or a cancellation of an order placed there; false when
     * it is for the topic itself.
     */
    boolean offer(WorkloadGenerator.Pipe pipe) {
        if (pipe.topic() != Topics.ORDER_EVENTS || pipe.key() == null || pipe.misplaced()) {
            return false;
        }
        JsonNode event;
        try {
            event = JSON.readTree(pipe.value());
        } catch (IOException unreadable) {
            return false;
        }
        if (event == null || !event.isObject() || !event.path("eventId").isTextual()
                || !pipe.key().equals(event.path("orderId").asText())) {
            return false;
        }
        String type = event.path("type").asText();
        String key = event.get("eventId").asText();
        if ("OrderPlaced".equals(type)) {
            if (pipe.kind().equals("order-placed-again")) {
                return false; // a second OrderPlaced for an order under a new eventId: only a topic can carry it
            }
            ObjectNode body = ((ObjectNode) event).deepCopy();
            body.remove(List.of("type", "eventId", "orderId"));
            Answer answer = post("/orders", key, body.toString(), pipe.kind());
            if (answer.status() == 202) {
                String intakeId = answer.body().path("orderId").asText();
                orderIds.put(pipe.key(), intakeId);
                placed.add(intakeId);
            }
            return true;
        }
        if ("OrderCancelRequested".equals(type)) {
            String intakeId = orderIds.get(pipe.key());
            if (intakeId == null) {
                return false;
            }
            Answer answer = post("/orders/" + intakeId + "/cancel", key, "{}", pipe.kind());
            if (answer.status() == 202) {
                cancelKeys.put(key, intakeId);
            }
            return true;
        }
        return false;
    }

    private record Answer(int status, JsonNode body) {
    }

    /** POSTs until the intake answers below 500, or gives up after {@link #GIVE_UP}. */
    private Answer post(String path, String idempotencyKey, String body, String kind) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    if (response.statusCode() != 202) {
                        refused.computeIfAbsent(REFUSED + response.statusCode() + " (" + kind + ")",
                                k -> new AtomicLong()).incrementAndGet();
                    }
                    return new Answer(response.statusCode(), JSON.readTree(response.body()));
                }
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while placing an order through the intake", e);
            }
            retries.incrementAndGet();
            if (Lifecycle.signalled()) {
                throw new IllegalStateException("stopped by a signal");
            }
            LockSupport.parkNanos(RETRY.toNanos()); // a client's back-off before it asks again
        }
        String what = REFUSED + "gave no answer within " + GIVE_UP.toSeconds() + " s (" + kind + "): " + last;
        refused.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        return new Answer(-1, JSON.nullNode());
    }

    /** OrderPlaced and OrderCancelRequested events the intake acknowledged, for the ingress reconciliation. */
    long acknowledged() {
        return placed.size() + cancelKeys.size();
    }

    /** Requests the intake refused (4xx) or never answered, by status and kind. */
    Map<String, Long> refused() {
        Map<String, Long> copy = new TreeMap<>();
        refused.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    long retries() {
        return retries.get();
    }

    void killConnect() throws InterruptedException {
        connect.kill();
    }

    void startConnect() {
        connect.start();
    }

    /**
     * PostgreSQL crashes: its immediate shutdown, every connection cut, open transactions lost, no checkpoint; the
     * replication slot is kept, and the next start runs crash recovery.
     */
    void crashPostgres() {
        postgres.crash();
    }

    /** Starts PostgreSQL again on its data directory and port. */
    void restartPostgres() {
        postgres = startPostgres();
    }

    /** Reconciles what the intake acknowledged with its table and the topics. */
    ChaosReport.Check reconcile(EventLog log) throws SQLException {
        Map<String, String> table = new HashMap<>();
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT order_id, status FROM orders")) {
            while (rows.next()) {
                table.put(rows.getString(1), rows.getString(2));
            }
        }
        return IntakeReconciliation.reconcile(placed, cancelKeys, table, log).check();
    }

    /** {@code connectors/orders-outbox.json} of the repository (set by ./saga), or of the working directory's. */
    private static Path connectorFile() {
        for (String home : new String[] {System.getProperty("orderflow.home", "."), "..", "."}) {
            Path file = Path.of(home, "connectors", "orders-outbox.json");
            if (Files.isRegularFile(file)) {
                return file.toAbsolutePath();
            }
        }
        throw new IllegalStateException("cannot find connectors/orders-outbox.json; run ./saga from the repository");
    }

    @Override
    public void close() throws Exception {
        if (connect != null) {
            connect.close();
        }
        if (server != null) {
            server.close();
        }
        if (intake != null) {
            intake.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
