package io.orderflow.topology;

import io.orderflow.contracts.OrderStatus;

/**
 * The business events the topology reports. The application binds these to Micrometer; tests use
 * {@link CountingMetrics}. Implementations must be thread-safe: every stream thread calls them.
 */
public interface OrderflowMetrics {
    OrderflowMetrics NONE = new OrderflowMetrics() {
    };

    /** An order was placed and its saga began ({@code saga_started_total}). */
    default void sagaStarted() {
    }

    /** A saga reached CONFIRMED or CANCELLED ({@code saga_completed_total{outcome}}, {@code saga_duration_seconds}). */
    default void sagaCompleted(OrderStatus outcome, long durationMillis) {
    }

    /** A compensation command was sent ({@code saga_compensations_total{step}}: release, void, refund). */
    default void compensation(String step) {
    }

    /** An order timed out waiting for replies ({@code saga_timeouts_total}). */
    default void sagaTimedOut() {
    }

    /** An event was recognised as a duplicate and ignored ({@code idempotency_duplicates_total{topic}}). */
    default void duplicate(String topic) {
    }

    /** A stock adjustment carried a stale expectedVersion ({@code optimistic_lock_conflicts_total}). */
    default void optimisticLockConflict() {
    }

    /**
     * A stock adjustment carrying an expectedVersion had it compared with the stock's version, whatever the outcome
     * ({@code optimistic_lock_attempts_total}); the conflicts are a subset, so conflicts / attempts is the conflict
     * rate.
     */
    default void optimisticLockAttempt() {
    }

    /**
     * An outbox event reached the saga, {@code millis} after its record's timestamp (Debezium's source time for the
     * outbox row) ({@code outbox_lag_seconds}).
     */
    default void outboxLag(long millis) {
    }

    /**
     * An ingress record went through the ingress repartition topic ({@code ingress_repartitioned_total{topic,cause}}):
     * it had no key ({@code keyless}) or sat on another partition than its key hashes to ({@code partition}).
     */
    default void ingressRepartitioned(String topic, String cause) {
    }

    /**
     * A retention pass deleted {@code count} ended entries from {@code store} ({@code retention_purged_total{store}}).
     */
    default void purged(String store, int count) {
    }

    /** A record went to the dead-letter topic ({@code dlq_records_total{topic}}). */
    default void deadLettered(String topic, String reason) {
    }
}
