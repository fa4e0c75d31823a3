package io.orderflow.devtools.bench;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StreamThreadStatsTest {

    @Test
    void shouldReportOnlyTheRunBetweenTwoSnapshotsWhenMetricsAreCumulative() {
        // Given a Kafka metrics registry holding the cumulative metrics two stream threads and their producers report
        try (Metrics metrics = new Metrics()) {
            Map<String, Double> values = new HashMap<>();
            register(metrics, values, "stream-thread-metrics", "commit-total", "t1", 10);
            register(metrics, values, "stream-thread-metrics", "commit-total", "t2", 30);
            register(metrics, values, "stream-thread-metrics", "blocked-time-ns-total", "t1", 1e9);
            register(metrics, values, "stream-thread-metrics", "process-total", "t1", 500);
            register(metrics, values, "producer-metrics", "flush-time-ns-total", "p1", 2e8);
            register(metrics, values, "producer-metrics", "txn-send-offsets-time-ns-total", "p1", 1e8);
            register(metrics, values, "producer-metrics", "txn-commit-time-ns-total", "p1", 1e8);
            // a metric of the same name in another group is not the thread's
            register(metrics, values, "consumer-metrics", "commit-total", "c1", 1_000);
            StreamThreadStats before = StreamThreadStats.of(metrics.metrics());

            // When the run adds 20 commits, 1 s of flushing, 0.2 s of offsets, 0.2 s of transaction commits,
            // 2 s blocked and 3,000 records
            values.merge("commit-total/t1", 5.0, Double::sum);
            values.merge("commit-total/t2", 15.0, Double::sum);
            values.merge("flush-time-ns-total/p1", 1e9, Double::sum);
            values.merge("txn-send-offsets-time-ns-total/p1", 2e8, Double::sum);
            values.merge("txn-commit-time-ns-total/p1", 2e8, Double::sum);
            values.merge("blocked-time-ns-total/t1", 2e9, Double::sum);
            values.merge("process-total/t1", 3_000.0, Double::sum);
            values.merge("commit-total/c1", 99.0, Double::sum);
            StreamThreadStats run = StreamThreadStats.of(metrics.metrics()).minus(before);

            // Then only the differences count, per commit and per second of a 10-s run with 200 sagas
            assertThat(run.commits()).isEqualTo(20);
            assertThat(run.commitNanos()).isCloseTo(1.4e9, within(1.0));
            assertThat(run.render(10, 200)).isEqualTo("20 commits (2.0/s), each waiting 70.0 ms for the broker "
                    + "(producer flush 50.0, send offsets 10.0, commit transaction 10.0); threads blocked on the broker "
                    + "20 % of the run; 15.0 records processed per saga");
        }
    }

    @Test
    void shouldNotDivideByZeroWhenNothingWasCommitted() {
        // Given an instance that committed nothing during the run
        StreamThreadStats nothing = new StreamThreadStats(0, 0, 0, 0, 0, 0);

        // When / Then
        assertThat(nothing.render(1, 0)).startsWith("0 commits (0.0/s), each waiting 0.0 ms");
    }

    private static void register(Metrics metrics, Map<String, Double> values, String group, String name,
                                 String client, double initial) {
        String key = name + "/" + client;
        values.put(key, initial);
        MetricName metricName = metrics.metricName(name, group, Map.of("client-id", client));
        metrics.addMetric(metricName, (Measurable) (config, now) -> values.get(key));
    }
}
