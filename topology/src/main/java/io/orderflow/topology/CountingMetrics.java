package io.orderflow.topology;

import io.orderflow.contracts.OrderStatus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** {@link OrderflowMetrics} that only counts, by name and tag; for tests and for the invariant checker's report. */
public final class CountingMetrics implements OrderflowMetrics {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void sagaStarted() {
        add("saga_started");
    }

    @Override
    public void sagaCompleted(OrderStatus outcome, long durationMillis) {
        add("saga_completed:" + outcome);
    }

    @Override
    public void compensation(String step) {
        add("saga_compensations:" + step);
    }

    @Override
    public void sagaTimedOut() {
        add("saga_timeouts");
    }

    @Override
    public void duplicate(String topic) {
        add("idempotency_duplicates:" + topic);
    }

    @Override
    public void optimisticLockConflict() {
        add("optimistic_lock_conflicts");
    }

    @Override
    public void optimisticLockAttempt() {
        add("optimistic_lock_attempts");
    }

    @Override
    public void outboxLag(long millis) {
        add("outbox_lag");
    }

    @Override
    public void deadLettered(String topic, String reason) {
        add("dlq_records:" + topic);
        add("dlq_records:" + topic + ":" + reason);
    }

    @Override
    public void ingressRepartitioned(String topic, String cause) {
        add("ingress_repartitioned:" + topic + ":" + cause);
    }

    @Override
    public void purged(String store, int count) {
        counts.computeIfAbsent("retention_purged:" + store, k -> new LongAdder()).add(count);
    }

    /** The count for a name such as {@code saga_started} or {@code dlq_records:order.events}. */
    public long count(String name) {
        LongAdder adder = counts.get(name);
        return adder == null ? 0 : adder.sum();
    }

    private void add(String name) {
        counts.computeIfAbsent(name, k -> new LongAdder()).increment();
    }
}
