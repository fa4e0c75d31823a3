package io.orderflow.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka names a store's metric tag after the store's type; Prometheus wants the same tag keys for every series of a
 * name. These tests hold Kafka metrics of a key-value and a window store side by side, as a Streams task does.
 */
class StateStoreMetersTest {
    private final Metrics kafka = new Metrics();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<String> refused = new ArrayList<>();
    private final StateStoreMeters meters = new StateStoreMeters(kafka::metrics, registry);

    @BeforeEach
    void watchRefusals() {
        registry.config().onMeterRegistrationFailed((id, reason) -> refused.add(id.getName() + ": " + reason));
    }

    @AfterEach
    void close() {
        meters.close();
        registry.close();
        kafka.close();
    }

    @Test
    void shouldExportEveryStoreTypeUnderOneNameWhenTheirTagKeysDiffer() {
        // Given a key-value and a window store with the same metric
        estimateNumKeys("rocksdb-state-id", "order-saga", "0_0", 7);
        estimateNumKeys("rocksdb-window-state-id", "saga-dedupe", "0_0", 3);

        // When
        meters.refresh();
        String scrape = registry.scrape();

        // Then both are exported, with the same tag keys, and nothing was refused
        assertThat(refused).isEmpty();
        assertThat(scrape).contains("kafka_stream_state_estimate_num_keys{kafka_version=\"")
                .containsPattern("kafka_stream_state_estimate_num_keys\\{[^}]*store=\"order-saga\","
                        + "store_type=\"rocksdb\",task_id=\"0_0\",thread_id=\"t-1\"} 7.0")
                .containsPattern("kafka_stream_state_estimate_num_keys\\{[^}]*store=\"saga-dedupe\","
                        + "store_type=\"rocksdb-window\",task_id=\"0_0\",thread_id=\"t-1\"} 3.0");
    }

    @Test
    void shouldRemoveAStoresSeriesWhenItsMetricsAreGone() {
        // Given two exported stores
        MetricName saga = estimateNumKeys("rocksdb-state-id", "order-saga", "0_0", 7);
        estimateNumKeys("rocksdb-state-id", "order-saga", "0_1", 2);
        meters.refresh();

        // When the first one's task moves away (Kafka Streams removes its metrics)
        kafka.removeMetric(saga);
        meters.refresh();

        // Then its series is gone, not left behind as NaN
        String scrape = registry.scrape();
        assertThat(scrape).doesNotContain("task_id=\"0_0\"").doesNotContain("NaN")
                .containsPattern("store=\"order-saga\",store_type=\"rocksdb\",task_id=\"0_1\",[^}]*} 2.0");
    }

    @Test
    void shouldKeepCumulativeMetricsCountersWhenTheyAreRegistered() {
        // Given a cumulative store metric and one of another group
        Sensor written = kafka.sensor("bytes-written");
        written.add(name("bytes-written-total", "rocksdb-state-id", "order-saga", "0_0"), new CumulativeSum());
        written.record(512);
        kafka.addMetric(new MetricName("estimate-num-keys", "other-metrics", "", Map.of("thread-id", "t-1")),
                (Gauge<Integer>) (config, now) -> 1);

        // When
        meters.refresh();
        String scrape = registry.scrape();

        // Then
        assertThat(scrape).contains("# TYPE kafka_stream_state_bytes_written_total counter")
                .containsPattern("kafka_stream_state_bytes_written_total\\{[^}]*store=\"order-saga\"[^}]*} 512.0")
                .doesNotContain("other");
    }

    private MetricName estimateNumKeys(String storeTag, String store, String task, long keys) {
        MetricName name = name("estimate-num-keys", storeTag, store, task);
        kafka.addMetric(name, (Gauge<BigInteger>) (config, now) -> BigInteger.valueOf(keys));
        return name;
    }

    private static MetricName name(String metric, String storeTag, String store, String task) {
        return new MetricName(metric, StateStoreMeters.GROUP, "", Map.of("thread-id", "t-1", "task-id", task,
                storeTag, store));
    }
}
