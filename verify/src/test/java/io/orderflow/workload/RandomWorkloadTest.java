package io.orderflow.workload;

import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import io.orderflow.topology.OrderflowDriver;
import io.orderflow.topology.CountingMetrics;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.state.Stock;
import io.orderflow.invariants.EventLog;
import io.orderflow.invariants.InvariantChecker;
import io.orderflow.invariants.InvariantReport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded random workload through the whole topology in a {@link org.apache.kafka.streams.TopologyTestDriver},
 * checked against DESIGN's invariants by the same {@link InvariantChecker} that {@code saga verify} runs on real
 * topics. A failure prints the seed and the report; rerunning with the seed replays the exact same records.
 *
 * <p>In the driver the whole chain runs synchronously per record, so every saga is decided before the next record
 * arrives: cancellations meet CONFIRMED or CANCELLED orders, and timeouts cannot happen.
 */
class RandomWorkloadTest {
    private static final int EVENTS = 10_000;
    private static final int DRAIN_EVERY = 500;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20260101L, 424242L})
    void shouldKeepEveryInvariantWhenSeededRandomWorkloadRuns(long seed) {
        try (OrderflowDriver driver = OrderflowDriver.full()) {
            // Given
            DriverEventLog events = new DriverEventLog(driver);
            WorkloadGenerator workload = new WorkloadGenerator(seed, driver.registry(), sku -> {
                Stock stock = driver.stock(sku);
                return stock == null ? 0 : stock.getVersion();
            });
            Map<String, Integer> kinds = new TreeMap<>();

            // When
            int piped = 0;
            while (piped < EVENTS) {
                WorkloadGenerator.Step step = workload.next();
                if (step instanceof WorkloadGenerator.Advance advance) {
                    driver.advance(advance.by());
                } else if (step instanceof WorkloadGenerator.Pipe pipe) {
                    events.pipe(pipe.topic(), pipe.key(), pipe.value());
                    kinds.merge(pipe.kind(), 1, Integer::sum);
                    if (++piped % DRAIN_EVERY == 0) {
                        events.drain();
                    }
                }
            }
            driver.advance(OrderflowDriver.SAGA_TIMEOUT.plusSeconds(5));
            EventLog log = events.finish();
            InvariantReport report = InvariantChecker.check(log);

            // Then
            Map<String, Integer> outcomes = log.outcomes();
            Map<String, Integer> deadLetters = new TreeMap<>();
            log.deadLetters().forEach(d -> deadLetters.merge(d.source().topic() + ":" + d.reason(), 1, Integer::sum));
            String summary = "seed " + seed + ": " + log + "\n  outcomes " + outcomes + "\n  dead letters "
                    + deadLetters + "\n  inputs " + kinds + "\n" + report;
            System.out.println(summary.lines().limit(4).reduce((a, b) -> a + "\n" + b).orElse(""));

            assertThat(report.ok()).as(summary).isTrue();

            assertThat(report.orders()).as(summary).isGreaterThan(3_000);
            assertThat(outcomes.getOrDefault("CONFIRMED", 0)).as(summary).isGreaterThan(100);
            for (CancelReason reason : List.of(CancelReason.OUT_OF_STOCK, CancelReason.INSUFFICIENT_FUNDS,
                    CancelReason.UNKNOWN_SKU, CancelReason.UNKNOWN_ACCOUNT, CancelReason.CURRENCY_MISMATCH,
                    CancelReason.INVALID_ORDER, CancelReason.CUSTOMER)) {
                assertThat(outcomes.getOrDefault("CANCELLED(" + reason + ")", 0)).as(reason + " in " + summary)
                        .isGreaterThan(0);
            }
            assertThat(log.deadLetters()).as(summary).hasSizeGreaterThan(100);
            CountingMetrics metrics = driver.metrics();
            for (Topic<byte[]> topic : List.of(Topics.ORDER_EVENTS, Topics.PAYMENT_DEPOSITS,
                    Topics.INVENTORY_ADJUSTMENTS)) {
                assertThat(metrics.count("idempotency_duplicates:" + topic)).as("duplicates on " + topic)
                        .isGreaterThan(0);
            }
            assertThat(metrics.count("optimistic_lock_conflicts")).isGreaterThan(0);
        }
    }
}
