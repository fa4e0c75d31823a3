package io.orderflow.topology;

import io.orderflow.config.Settings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Orderflow's own settings plus the Streams defaults it needs. Values come from a properties file; anything not
 * set gets the default here. Only settings the topology depends on for correctness are forced.
 *
 * @param sagaTimeout       how long an order may wait for its replies before it is compensated ({@code saga.timeout})
 * @param dedupeTtl         how long an eventId is remembered for de-duplication ({@code dedupe.ttl})
 * @param deadlineScan      how often the deadline index is scanned, wall-clock ({@code saga.deadline.scan.interval})
 * @param retention         how long an ended saga is kept ({@code saga.retention}); per-order payment and stock
 *                          records and {@code orders-view} entries are kept twice as long
 * @param retentionScan     how often (wall clock) each store is walked for ended entries to delete
 *                          ({@code saga.retention.scan.interval})
 * @param schemaRegistryUrl {@code local:} or {@code http(s)://…} ({@code schema.registry.url})
 * @param partitions        the partition count of every Orderflow topic ({@code partitions}, default 6), which the
 *                          instance's topic set-up creates or refuses to run without; the ingress gate needs it to
 *                          tell a record on the wrong partition
 */
public record OrderflowConfig(Duration sagaTimeout, Duration dedupeTtl, Duration deadlineScan,
                              Duration retention, Duration retentionScan, String schemaRegistryUrl, int partitions) {

    public static final String SAGA_TIMEOUT = "saga.timeout";
    public static final String DEDUPE_TTL = "dedupe.ttl";
    public static final String DEADLINE_SCAN = "saga.deadline.scan.interval";
    public static final String RETENTION = "saga.retention";
    public static final String RETENTION_SCAN = "saga.retention.scan.interval";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String PARTITIONS = "partitions";
    public static final int DEFAULT_PARTITIONS = 6;
    public static final String APPLICATION_ID = "orderflow";

    /** The topology's settings: types, defaults, validators and what each means. */
    public static final ConfigDef DEF = new ConfigDef()
            .define(SAGA_TIMEOUT, Type.STRING, "30s", Settings.duration(Duration.ofMillis(1)), Importance.HIGH,
                    "how long an order waits for its replies before it is compensated")
            .define(DEADLINE_SCAN, Type.STRING, "1s", Settings.duration(Duration.ofMillis(1)), Importance.LOW,
                    "how often (wall clock) the deadline index is scanned")
            .define(RETENTION, Type.STRING, "7d", Settings.duration(Duration.ofMillis(1)), Importance.MEDIUM,
                    "how long an ended saga is kept; payment and stock records and orders-view entries twice as long")
            .define(RETENTION_SCAN, Type.STRING, "10s", Settings.duration(Duration.ofMillis(1)), Importance.LOW,
                    "how often (wall clock) the stores are walked for ended entries to delete")
            .define(DEDUPE_TTL, Type.STRING, "24h", Settings.duration(Duration.ofMillis(1)), Importance.LOW,
                    "how long an eventId is remembered")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "local:", Importance.HIGH,
                    "http(s)://host:port of a Confluent-compatible Schema Registry, or local:")
            .define(PARTITIONS, Type.INT, DEFAULT_PARTITIONS, Settings.atLeast(1), Importance.HIGH,
                    "partitions of the topics Orderflow creates");

    public static OrderflowConfig defaults() {
        return from(new Properties());
    }

    /** @throws IllegalArgumentException naming a setting that is not valid */
    public static OrderflowConfig from(Properties props) {
        Map<String, Object> values = Settings.parse(DEF, props);
        return new OrderflowConfig(
                Settings.duration(values, SAGA_TIMEOUT),
                Settings.duration(values, DEDUPE_TTL),
                Settings.duration(values, DEADLINE_SCAN),
                Settings.duration(values, RETENTION),
                Settings.duration(values, RETENTION_SCAN),
                (String) values.get(SCHEMA_REGISTRY_URL),
                (Integer) values.get(PARTITIONS));
    }

    /**
     * Kafka Streams settings Orderflow runs with unless the operator sets them, each justified by a measurement in
     * docs/performance.md; also given to the bench's pass-through baseline, so both run alike.
     * <ul>
     * <li>{@code max.task.idle.ms=-1}: every task here reads several topics (the saga: order events and both reply
     * topics; ledger and inventory: ingress and commands), and nothing depends on the order of records across
     * topics: replies are caused by commands, so they never overtake their order. Streams' default (0) makes a task
     * wait for an empty input partition that the broker has data for, and builds log text with String.format for
     * every such check on every loop (8 % of all CPU in a profile); -1 processes whatever is buffered.</li>
     * </ul>
     * Record caches and the commit interval stay at Kafka's defaults on purpose: turning the caches off and
     * committing every 30 ms halves the latency of a lone instance, but costs far more under hot keys and
     * overload (docs/performance.md, "Third round"); docs/operations.md's settings table gives it as an operator's choice.
     */
    public static final Map<String, Object> PERFORMANCE_DEFAULTS = Map.of(
            StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);

    /**
     * Streams properties for an Orderflow instance: exactly-once, explicit naming enforced, unreadable records to
     * the dead-letter topic, and {@link #PERFORMANCE_DEFAULTS}. Settings already present in {@code props} win,
     * except those the topology relies on.
     */
    public static Properties streamsProperties(Properties props) {
        Properties streams = new Properties();
        streams.putAll(props);
        streams.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        streams.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        streams.putIfAbsent(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name());
        streams.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        streams.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterProcessingHandler.class.getName());
        streams.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterProductionHandler.class.getName());
        PERFORMANCE_DEFAULTS.forEach(streams::putIfAbsent);
        // A changelog or repartition topic that an upstream change renamed would lose state silently.
        streams.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        return streams;
    }

    /** How long per-order payment and stock records and {@code orders-view} entries are kept after they end. */
    public Duration recordRetention() {
        return retention.multipliedBy(2);
    }

    /** See {@link Settings#parseDuration}. */
    public static Duration parseDuration(String text) {
        return Settings.parseDuration(text);
    }
}
