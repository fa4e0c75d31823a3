package io.orderflow.devtools.bench;

import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.OutboxMode;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * {@code saga bench --outbox-drain N}: Debezium alone, without the intake. With the outbox connector stopped, N outbox
 * rows are written straight into PostgreSQL the way the intake writes them (transactions of
 * {@value #ROWS_PER_TRANSACTION}, each row deleted again in the same transaction under the intake's default
 * {@code intake.outbox.mode=delete}); then the connector is resumed and the bench times until all N events are
 * visible read_committed on {@code order.events}. The drain rate counts from the first event to the last, so the
 * task's start-up (reported apart) is not in it; nothing is decoded ahead while the connector is stopped.
 */
final class OutboxDrainBench {
    /** What one drain measured; times in seconds. */
    record Result(int rows, double insertSeconds, double startSeconds, double drainSeconds, int seen, String cpu) {
        double eventsPerSecond() {
            return drainSeconds <= 0 ? 0 : (seen - 1) / drainSeconds;
        }

        /** From the resume to the last event, the task's start-up included. */
        double eventsPerSecondFromResume() {
            return seen / Math.max(0.001, startSeconds + drainSeconds);
        }
    }

    /** As many orders as the intake's group commit puts in one transaction at most (ten batches of 100). */
    static final int ROWS_PER_TRANSACTION = 1_000;
    private static final Duration DEADLINE = Duration.ofMinutes(5);

    private final BenchRunner.Options options;
    private final PrintStream err = System.err;

    OutboxDrainBench(BenchRunner.Options options) {
        this.options = options;
    }

    /** Runs the drain and prints its figures to {@code out} (and one JSON line with {@code --json}); the exit code. */
    int runAndReport(PrintStream out) throws Exception {
        Result r;
        try (Lifecycle lifecycle = new Lifecycle()) {
            r = run(lifecycle);
        }
        out.printf(Locale.ROOT, "%nwritten:      %d outbox rows straight into PostgreSQL in %.1f s, the connector stopped%n",
                r.rows(), r.insertSeconds());
        out.printf(Locale.ROOT, "drained:      %d events on order.events (read_committed), first to last in %.2f s = "
                + "%.0f events/s%n", r.seen(), r.drainSeconds(), r.eventsPerSecond());
        out.printf(Locale.ROOT, "from resume:  %.2f s to the first event (task start), %.0f events/s with it%n",
                r.startSeconds(), r.eventsPerSecondFromResume());
        out.printf(Locale.ROOT, "CPU:          from the resume to the last event: %s%n", r.cpu());
        if (options.json()) {
            out.printf(Locale.ROOT, "{\"outbox_drain_rows\":%d,\"seen\":%d,\"drain_s\":%.3f,\"events_per_s\":%.1f,"
                            + "\"start_s\":%.3f,\"events_per_s_from_resume\":%.1f,\"insert_s\":%.3f}%n",
                    r.rows(), r.seen(), r.drainSeconds(), r.eventsPerSecond(), r.startSeconds(),
                    r.eventsPerSecondFromResume(), r.insertSeconds());
        }
        return r.seen() == r.rows() ? 0 : 1;
    }

    Result run(Lifecycle lifecycle) throws Exception {
        OutboxStack stack = OutboxStack.start(lifecycle, options, err);
        OutboxMode mode = IntakeConfig.from(stack.intakeProps()).outboxMode();
        String run = UUID.randomUUID().toString().substring(0, 6);
        try (KafkaConsumer<String, byte[]> consumer = stack.consumer();
             Connection db = stack.postgres().connect()) {
            // Not measured: the first events through a cold JVM (JIT) and a new task.
            int warm = Math.max(1, Math.min(5_000, options.outboxDrain() / 10));
            err.printf(Locale.ROOT, "Warm-up: %d outbox rows through the running connector (not measured) ...%n", warm);
            insert(db, "dw-" + run + "-", warm, mode);
            drain(consumer, "o-dw-" + run + "-", warm, System.nanoTime());

            err.println("Stopping the connector, writing " + options.outboxDrain() + " outbox rows (outbox mode "
                    + mode + ") ...");
            stack.connect().stopConnector(stack.connector(), Duration.ofSeconds(60));
            long insertStart = System.nanoTime();
            insert(db, "d-" + run + "-", options.outboxDrain(), mode);
            double insertSeconds = (System.nanoTime() - insertStart) / 1e9;
            err.printf(Locale.ROOT, "Written in %.1f s; resuming the connector ...%n", insertSeconds);
            Path pgData = stack.postgres().dataDir().resolve("pgdata");
            CpuSnapshot cpuBefore = CpuSnapshot.take(pgData);
            long resumed = System.nanoTime();
            stack.connect().resumeConnector(stack.connector());
            Result result = drain(consumer, "o-d-" + run + "-", options.outboxDrain(), resumed);
            String cpu = CpuSnapshot.take(pgData).minus(cpuBefore)
                    .describe(6, Duration.ofNanos(System.nanoTime() - resumed));
            return new Result(result.rows(), insertSeconds, result.startSeconds(), result.drainSeconds(),
                    result.seen(), cpu);
        }
    }

    /** Rows {@code 0..n-1} with order ids {@code o-<prefix><i>}, each an OrderPlaced as the intake renders it. */
    private static void insert(Connection db, String prefix, int n, OutboxMode mode) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                        + "SELECT e.id, 'order', e.order_id, 'OrderPlaced', jsonb_build_object('type', 'OrderPlaced', "
                        + "'eventId', e.id::text, 'orderId', e.order_id, 'customerId', 'bc-' || (g % 2000), "
                        + "'currency', 'EUR', 'lines', jsonb_build_array(jsonb_build_object('sku', 'bs-' || (g % 1000), "
                        + "'quantity', 1, 'unitPrice', 100))) "
                        + "FROM generate_series(?::int, ?::int) AS g, "
                        + "LATERAL (SELECT gen_random_uuid() AS id, 'o-' || ? || g AS order_id) AS e");
             Statement delete = db.createStatement()) {
            for (int from = 0; from < n; from += ROWS_PER_TRANSACTION) {
                insert.setInt(1, from);
                insert.setInt(2, Math.min(n, from + ROWS_PER_TRANSACTION) - 1);
                insert.setString(3, prefix);
                insert.executeUpdate();
                if (mode == OutboxMode.DELETE) {
                    // As the intake does: the INSERTs are in the WAL; the EventRouter drops the DELETEs.
                    delete.executeUpdate("DELETE FROM outbox");
                }
                db.commit();
            }
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** Waits until {@code n} events keyed {@code <prefix><i>} are visible; times from {@code since}. */
    private Result drain(KafkaConsumer<String, byte[]> consumer, String prefix, int n, long since) {
        Set<String> seen = new HashSet<>();
        long first = 0;
        long last = 0;
        long lastReport = System.nanoTime();
        long deadline = since + DEADLINE.toNanos();
        while (seen.size() < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                if (record.key() != null && record.key().startsWith(prefix) && seen.add(record.key())) {
                    last = System.nanoTime();
                    first = first == 0 ? last : first;
                }
            }
            long now = System.nanoTime();
            if (now - lastReport > 1_000_000_000L) {
                lastReport = now;
                progress(seen.size(), n, (now - since) / 1e9);
            }
        }
        progress(seen.size(), n, (System.nanoTime() - since) / 1e9);
        err.println();
        if (seen.size() < n) {
            err.println("only " + seen.size() + " of " + n + " events reached " + Topics.ORDER_EVENTS + " within "
                    + DEADLINE.toMinutes() + " minutes");
        }
        return new Result(n, 0, first == 0 ? 0 : (first - since) / 1e9, first == 0 ? 0 : (last - first) / 1e9,
                seen.size(), "");
    }

    private void progress(int seen, int total, double seconds) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) seen * width / total);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d outbox events on %s, %.1f s   ", "#".repeat(filled),
                ".".repeat(width - filled), seen, total, Topics.ORDER_EVENTS, seconds);
        err.flush();
    }
}
