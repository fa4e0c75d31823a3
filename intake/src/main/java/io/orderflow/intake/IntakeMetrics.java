package io.orderflow.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The intake's meters in a Micrometer registry; in Prometheus format (what {@code saga intake} serves at
 * {@code GET /metrics}) they are:
 *
 * <ul>
 *   <li>{@code outbox_events_total}: outbox rows written by committed transactions (one per accepted place or
 *       cancel request; a replay writes none).</li>
 *   <li>{@code outbox_failed_events_total}: outbox rows a request tried to write and could not (its transaction
 *       rolled back or the database was unreachable; the request was answered 5xx). A group-commit batch that fails
 *       and whose orders then succeed one by one counts nothing.</li>
 *   <li>{@code outbox_table_size}: rows in the outbox table now, counted on each scrape. With
 *       {@link OutboxMode#DELETE} (the default) it is 0 by construction — each row is deleted in the transaction
 *       that inserted it and the event waits in the WAL for Debezium — so a value above 0 there means something
 *       else writes the table; with {@link OutboxMode#KEEP} it is what the next purge will find. NaN when the
 *       database cannot be asked or does not answer within 2 s (counted on a thread of its own, so a hung
 *       database never holds a scrape longer).</li>
 *   <li>{@code idempotency_checks_total}: requests whose Idempotency-Key was looked up in
 *       {@code idempotency_keys} and answered (new, replayed or refused as reused).</li>
 *   <li>{@code idempotency_hits_total}: of those, the ones whose key was already taken: a repeat answered with the
 *       first answer, or a key reused for another request (422).</li>
 *   <li>{@code http_server_requests_seconds{method,route,status}}: latency of the intake's routes, a histogram
 *       with buckets (for {@code histogram_quantile}).</li>
 * </ul>
 */
public final class IntakeMetrics {
    /** Micrometer's name of the request timer; Prometheus: {@code http_server_requests_seconds}. */
    public static final String REQUESTS = "http.server.requests";
    /** How long a scrape may wait for the outbox count before it reports NaN. */
    static final int COUNT_TIMEOUT_SECONDS = 2;

    private static final Logger log = LoggerFactory.getLogger(IntakeMetrics.class);

    private final MeterRegistry registry;
    private final Counter outboxEvents;
    private final Counter outboxFailed;
    private final Counter idempotencyChecks;
    private final Counter idempotencyHits;
    private final ExecutorService counter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "orderflow-intake-outbox-count");
        thread.setDaemon(true);
        return thread;
    });
    private CompletableFuture<Double> counting;

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        outboxEvents = Counter.builder("outbox.events")
                .description("Outbox rows written by committed transactions").register(registry);
        outboxFailed = Counter.builder("outbox.failed.events")
                .description("Outbox rows a request tried to write and could not (rolled back or database "
                        + "unreachable)").register(registry);
        idempotencyChecks = Counter.builder("idempotency.checks")
                .description("Requests whose Idempotency-Key was looked up and answered").register(registry);
        idempotencyHits = Counter.builder("idempotency.hits")
                .description("Requests whose Idempotency-Key was already taken: replayed, or refused as reused")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Counts the outbox table's rows on each scrape (through {@code pool}). */
    void bindOutboxTable(DataSource pool, OutboxMode mode) {
        Gauge.builder("outbox.table.size", pool, this::outboxSize).strongReference(true)
                .description("Rows in the outbox table now; 0 by construction with intake.outbox.mode=delete ("
                        + mode.name().toLowerCase(java.util.Locale.ROOT) + " here): the events wait in the WAL")
                .register(registry);
    }

    void outboxWritten() {
        outboxEvents.increment();
    }

    void outboxFailed() {
        outboxFailed.increment();
    }

    void idempotencyChecked(boolean hit) {
        idempotencyChecks.increment();
        if (hit) {
            idempotencyHits.increment();
        }
    }

    /** Records one request to {@code route} (the template, e.g. {@code /orders/{id}/cancel}) answered {@code status}. */
    public void request(String method, String route, int status, long nanos) {
        Timer.builder(REQUESTS).tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .description("Latency of the intake's HTTP routes")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Stops the outbox count's thread. */
    void close() {
        counter.shutdownNow();
    }

    /**
     * The outbox's rows, counted on another thread: a scrape waits for the count at most
     * {@value #COUNT_TIMEOUT_SECONDS} s, even when the database hangs (a statement timeout is no help then), and a
     * count still running is waited for again rather than started twice.
     */
    private double outboxSize(DataSource pool) {
        CompletableFuture<Double> count;
        synchronized (this) {
            if (counting == null || counting.isDone()) {
                counting = CompletableFuture.supplyAsync(() -> countOutbox(pool), counter);
            }
            count = counting;
        }
        try {
            return count.get(COUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("outbox_table_size is NaN in this scrape: the outbox count took longer than {} s",
                    COUNT_TIMEOUT_SECONDS);
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return Double.NaN;
        }
    }

    /** Counts the outbox table's rows (through {@code pool}). */
    private static double countOutbox(DataSource pool) {
        try (Connection connection = pool.getConnection();
             Statement count = connection.createStatement()) {
            count.setQueryTimeout(COUNT_TIMEOUT_SECONDS);
            try (ResultSet row = count.executeQuery("SELECT count(*) FROM outbox")) {
                row.next();
                double rows = row.getLong(1);
                connection.rollback();
                return rows;
            }
        } catch (SQLException e) {
            log.warn("outbox_table_size is NaN in this scrape: cannot count the outbox ({})",
                    Database.rootMessage(e));
            return Double.NaN;
        }
    }
}
