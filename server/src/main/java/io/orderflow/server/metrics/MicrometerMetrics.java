package io.orderflow.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.server.query.RestoreProgress;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Orderflow's business metrics in Micrometer, scraped in Prometheus format at {@code GET /metrics}. The names are
 * the ones DESIGN.md and the alert rules in {@code deploy/} use: {@code saga_started_total},
 * {@code saga_completed_total{outcome}}, {@code saga_compensations_total{step}}, {@code saga_timeouts_total},
 * {@code saga_duration_seconds}, {@code saga_pending}, {@code saga_oldest_pending_age_seconds},
 * {@code saga_reply_path_lag_seconds},
 * {@code outbox_lag_seconds}, {@code idempotency_duplicates_total{topic}},
 * {@code optimistic_lock_conflicts_total}, {@code optimistic_lock_attempts_total}, {@code dlq_records_total{topic}}; plus Kafka Streams' own
 * ({@code kafka_stream_*}; the state stores' {@code kafka_stream_state_*} through {@link StateStoreMeters}, with the
 * same tag keys for every store type). Tagged counters are created up front so every series exists from the first
 * scrape. A meter Prometheus refuses (a name already used with other tag keys or another type) is logged at WARN,
 * once per name: Micrometer itself warns only about the first one in the JVM.
 */
public final class MicrometerMetrics implements OrderflowMetrics {
    private static final Logger log = LoggerFactory.getLogger(MicrometerMetrics.class);
    private static final List<String> COMPENSATION_STEPS = List.of("release", "void", "refund");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter started;
    private final Counter timeouts;
    private final Counter lockConflicts;
    private final Counter lockAttempts;
    private final Timer duration;
    private final Set<String> refusedNames = ConcurrentHashMap.newKeySet();
    private KafkaStreamsMetrics streamsMetrics;
    private StateStoreMeters stateStoreMeters;

    public MicrometerMetrics() {
        registry.config().onMeterRegistrationFailed((id, reason) -> {
            if (refusedNames.add(id.getName())) {
                log.warn("Metric {} is not exported: {}", id.getName(), reason);
            }
        });
        // Before any Kafka Streams meter is bound: the binder's state store meters are replaced, not dropped.
        registry.config().meterFilter(StateStoreMeters.DENY_BINDER_COPIES);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        started = Counter.builder("saga.started").description("Orders placed whose saga began").register(registry);
        timeouts = Counter.builder("saga.timeouts").description("Sagas compensated because their deadline passed")
                .register(registry);
        lockConflicts = Counter.builder("optimistic.lock.conflicts")
                .description("Stock adjustments refused for a stale expectedVersion").register(registry);
        lockAttempts = Counter.builder("optimistic.lock.attempts")
                .description("Stock adjustments whose expectedVersion was compared with the stock's version")
                .register(registry);
        duration = Timer.builder("saga.duration").description("From OrderPlaced to CONFIRMED or CANCELLED")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
        Timer.builder("outbox.lag").description("From the outbox row's created_at to the saga processing it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        for (OrderStatus outcome : List.of(OrderStatus.CONFIRMED, OrderStatus.CANCELLED)) {
            completed(outcome);
        }
        COMPENSATION_STEPS.forEach(this::compensations);
        for (Topic<?> topic : Topics.ALL) {
            deadLetters(topic.name());
            duplicates(topic.name());
        }
    }

    /** Gauges that read the running instance, and Kafka Streams' own metrics. */
    public void bind(KafkaStreams streams, PendingSagas pending, Supplier<Duration> replyPathLag,
                     RestoreProgress restores) {
        // Strong references: Micrometer holds gauge state weakly, and nothing else keeps these alive.
        Gauge.builder("state.restore.remaining.records", restores, RestoreProgress::remaining).strongReference(true)
                .description("Records this instance still has to restore from changelogs before the stores being "
                        + "restored are complete (an upper bound: offsets include transaction markers); 0 when none")
                .register(registry);
        Gauge.builder("state.restore.restored.records", restores, RestoreProgress::restored).strongReference(true)
                .description("Records restored so far by the restores under way on this instance")
                .register(registry);
        Gauge.builder("saga.pending", pending, PendingSagas::count).strongReference(true)
                .description("Orders awaiting replies on this instance: the consistency lag in orders")
                .register(registry);
        Gauge.builder("saga.oldest.pending.age", pending, PendingSagas::oldestAgeSeconds).strongReference(true)
                .baseUnit("seconds")
                .description("Age of the oldest order awaiting replies on this instance").register(registry);
        Gauge.builder("saga.reply.path.lag", replyPathLag, lag -> lag.get().isNegative() ? Double.NaN
                        : lag.get().toMillis() / 1000.0).strongReference(true)
                .baseUnit("seconds")
                .description("How far behind the wall clock the application has answered every payment and inventory "
                        + "command and read the reply back; saga deadlines wait for it (NaN until first measured)")
                .register(registry);
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        stateStoreMeters = new StateStoreMeters(streams::metrics, registry);
        stateStoreMeters.refresh();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter, with the state stores the instance holds right now. */
    public String scrape() {
        if (stateStoreMeters != null) {
            stateStoreMeters.refresh();
        }
        return registry.scrape();
    }

    /**
     * Only the metric families named (Prometheus names, e.g. {@code saga_pending}): a scrape that costs a few
     * meters instead of every Kafka client and state store metric, for a caller that polls one value often.
     */
    public String scrape(Set<String> names) {
        if (stateStoreMeters != null && names.stream().anyMatch(name -> name.startsWith("kafka_stream_state_"))) {
            stateStoreMeters.refresh();
        }
        return registry.scrape(CONTENT_TYPE, names);
    }

    /** The Prometheus text exposition format both scrapes give. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Override
    public void sagaStarted() {
        started.increment();
    }

    @Override
    public void sagaCompleted(OrderStatus outcome, long durationMillis) {
        completed(outcome).increment();
        duration.record(Math.max(0, durationMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void compensation(String step) {
        compensations(step).increment();
    }

    @Override
    public void sagaTimedOut() {
        timeouts.increment();
    }

    @Override
    public void duplicate(String topic) {
        duplicates(topic).increment();
    }

    @Override
    public void optimisticLockConflict() {
        lockConflicts.increment();
    }

    @Override
    public void optimisticLockAttempt() {
        lockAttempts.increment();
    }

    @Override
    public void deadLettered(String topic, String reason) {
        deadLetters(topic).increment();
    }

    @Override
    public void ingressRepartitioned(String topic, String cause) {
        Counter.builder("ingress.repartitioned").tag("topic", topic).tag("cause", cause)
                .description("Ingress records sent through the ingress repartition topic to the task that owns "
                        + "their key: without a key (keyless) or on another partition than their key's (partition)")
                .register(registry).increment();
    }

    @Override
    public void purged(String store, int count) {
        Counter.builder("retention.purged").tag("store", store)
                .description("Ended entries deleted from a store a retention after they ended (saga.retention)")
                .register(registry).increment(count);
    }

    @Override
    public void outboxLag(long millis) {
        registry.timer("outbox.lag").record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (stateStoreMeters != null) {
            stateStoreMeters.close();
        }
        registry.close();
    }

    private Counter completed(OrderStatus outcome) {
        return Counter.builder("saga.completed").tag("outcome", outcome.name())
                .description("Sagas that reached a terminal status").register(registry);
    }

    private Counter compensations(String step) {
        return Counter.builder("saga.compensations").tag("step", step)
                .description("Compensation commands sent").register(registry);
    }

    private Counter duplicates(String topic) {
        return Counter.builder("idempotency.duplicates").tag("topic", topic)
                .description("Events recognised as duplicates and ignored").register(registry);
    }

    private Counter deadLetters(String topic) {
        return Counter.builder("dlq.records").tag("topic", topic)
                .description("Records sent to orderflow.dlq, by the topic they came from").register(registry);
    }
}
