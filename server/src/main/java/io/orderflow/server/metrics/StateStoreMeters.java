package io.orderflow.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.utils.AppInfoParser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Kafka Streams' state store metrics (group {@code stream-state-metrics}) as {@code kafka_stream_state_*} meters
 * with one set of tag keys for every store type: {@code thread_id}, {@code task_id}, {@code store},
 * {@code store_type} ({@code rocksdb}, {@code rocksdb-window}, {@code in-memory}, …) and {@code kafka_version}.
 *
 * <p>Why not Micrometer's Kafka Streams binder: Kafka names the store's tag after its type
 * ({@code rocksdb-state-id} for key-value stores, {@code rocksdb-window-state-id} for window stores), and Prometheus
 * requires the same tag keys for every series of a name, so the binder exported one type's series of each metric
 * and dropped the others with a single warning (the saga's key-value stores or its window stores had no
 * {@code kafka_stream_state_estimate_num_keys} at all). A {@link MeterFilter} cannot repair this: filling in the
 * missing keys changes the tag count, and the binder then skips every further meter of that name as "less tagged";
 * renaming the tag keeps the count but the binder removes meters by their unfiltered id, so a store whose task
 * moved to another instance would stay behind as a NaN series and turn every {@code sum()} over it into NaN. So
 * the binder's own copies of these meters are denied ({@link #DENY_BINDER_COPIES}) and this class registers them.
 *
 * <p>{@link #refresh()} adds the meters of stores that appeared and removes those of stores that closed (a task
 * moved away, a rebalance); {@link MicrometerMetrics} calls it before every scrape, so a scrape sees exactly the
 * stores the instance holds.
 */
final class StateStoreMeters {
    static final String GROUP = "stream-state-metrics";
    static final String PREFIX = "kafka.stream.state.";
    /** Kafka's store tag is {@code <store type>-state-id}. */
    private static final String STORE_TAG_SUFFIX = "-state-id";

    /** Denies the Kafka Streams binder's state store meters: they carry the per-type key, this class's do not. */
    static final MeterFilter DENY_BINDER_COPIES = MeterFilter.deny(id -> id.getName().startsWith(PREFIX)
            && id.getTags().stream().anyMatch(tag -> tag.getKey().endsWith(".state.id")));

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;
    private final MeterRegistry registry;
    private final String kafkaVersion = AppInfoParser.getVersion();
    /** The metrics as of the last refresh: what the meters read. */
    private final AtomicReference<Map<MetricName, ? extends Metric>> current = new AtomicReference<>(Map.of());
    private final Map<MetricName, Meter> meters = new HashMap<>();

    StateStoreMeters(Supplier<Map<MetricName, ? extends Metric>> metrics, MeterRegistry registry) {
        this.metrics = metrics;
        this.registry = registry;
    }

    /** Registers a meter for every state store metric there is and removes those of stores that are gone. */
    synchronized void refresh() {
        Map<MetricName, ? extends Metric> now = metrics.get();
        current.set(now);
        meters.entrySet().removeIf(entry -> {
            if (now.containsKey(entry.getKey())) {
                return false;
            }
            registry.remove(entry.getValue());
            return true;
        });
        now.forEach((name, metric) -> {
            if (GROUP.equals(name.group()) && !meters.containsKey(name) && metric.metricValue() instanceof Number) {
                meters.put(name, register(name, metric));
            }
        });
    }

    /** Removes every meter this class registered. */
    synchronized void close() {
        meters.values().forEach(registry::remove);
        meters.clear();
    }

    private Meter register(MetricName name, Metric metric) {
        String meterName = PREFIX + name.name().replace('-', '.');
        List<Tag> tags = tags(name);
        // Counter or gauge as Micrometer's Kafka binder decides, so the exported types stay what they were.
        if (isCumulative(metric, meterName)) {
            return FunctionCounter.builder(meterName, current, metrics -> value(metrics, name)).tags(tags)
                    .description(name.description()).register(registry);
        }
        return Gauge.builder(meterName, current, metrics -> value(metrics, name)).tags(tags)
                .description(name.description()).register(registry);
    }

    private List<Tag> tags(MetricName name) {
        List<Tag> tags = new ArrayList<>();
        name.tags().forEach((key, value) -> {
            if (key.endsWith(STORE_TAG_SUFFIX)) {
                tags.add(Tag.of("store", value));
                tags.add(Tag.of("store.type", key.substring(0, key.length() - STORE_TAG_SUFFIX.length())));
            } else {
                tags.add(Tag.of(key.replace('-', '.'), value));
            }
        });
        tags.add(Tag.of("kafka.version", kafkaVersion));
        return tags;
    }

    private static boolean isCumulative(Metric metric, String meterName) {
        if (metric instanceof KafkaMetric kafkaMetric) {
            try {
                return kafkaMetric.measurable() instanceof CumulativeSum
                        || kafkaMetric.measurable() instanceof CumulativeCount;
            } catch (IllegalStateException notMeasurable) {
                // A gauge-backed metric (RocksDB properties) has no measurable: its name says what it is.
                return meterName.endsWith("total");
            }
        }
        return meterName.endsWith("total");
    }

    private static double value(AtomicReference<Map<MetricName, ? extends Metric>> metrics, MetricName name) {
        Metric metric = metrics.get().get(name);
        return metric != null && metric.metricValue() instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
