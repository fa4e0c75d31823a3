package io.orderflow.server.query;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.topology.OrderStatusListener;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Long-polling readers waiting for an order to reach a status. Bounded ({@code max} waiters at once), and every
 * waiter is removed when it completes, times out or is refused — none can leak.
 */
public final class OrderWaiters implements OrderStatusListener {
    /** What a reader may wait for. */
    public enum Target {
        CONFIRMED(s -> s == OrderStatus.CONFIRMED),
        CANCELLED(s -> s == OrderStatus.CANCELLED),
        TERMINAL(s -> s == OrderStatus.CONFIRMED || s == OrderStatus.CANCELLED);

        private final Predicate<OrderStatus> reached;

        Target(Predicate<OrderStatus> reached) {
            this.reached = reached;
        }

        public boolean reachedBy(OrderStatus status) {
            return status != null && reached.test(status);
        }
    }

    /** Thrown (as the future's failure) when {@code max} readers are already waiting. */
    public static final class TooManyWaiters extends RuntimeException {
        TooManyWaiters(int max) {
            super("too many readers waiting (" + max + "); retry later");
        }
    }

    private record Waiter(Target target, CompletableFuture<OrderStatus> future) {
    }

    private final ConcurrentHashMap<String, Set<Waiter>> byOrder = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;

    public OrderWaiters(int max) {
        this.max = max;
    }

    /**
     * A future completed with the status once {@code orderId} reaches {@code target}, or failed with a
     * {@link java.util.concurrent.TimeoutException} after {@code timeout}. Register before reading the current
     * state, then call {@link #cancel} if the state already satisfies the reader.
     */
    public CompletableFuture<OrderStatus> await(String orderId, Target target, Duration timeout) {
        CompletableFuture<OrderStatus> future = new CompletableFuture<>();
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            future.completeExceptionally(new TooManyWaiters(max));
            return future;
        }
        Waiter waiter = new Waiter(target, future);
        byOrder.computeIfAbsent(orderId, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        // Cancelled by the reader: gone as well.
        future.whenComplete((status, failure) -> remove(orderId, waiter));
        // Removed before completing (here and in statusChanged), so whoever the completion wakes sees it gone.
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!future.isDone()) {
                remove(orderId, waiter);
                future.completeExceptionally(new TimeoutException());
            }
        });
        return future;
    }

    /** Readers currently waiting. */
    public int size() {
        return size.get();
    }

    @Override
    public void statusChanged(OrderStatusChanged change) {
        Set<Waiter> waiters = byOrder.get(change.getOrderId());
        if (waiters == null) {
            return;
        }
        for (Waiter waiter : waiters) {
            if (waiter.target().reachedBy(change.getStatus())) {
                remove(change.getOrderId(), waiter);
                waiter.future().complete(change.getStatus());
            }
        }
    }

    private void remove(String orderId, Waiter waiter) {
        byOrder.computeIfPresent(orderId, (k, set) -> {
            if (set.remove(waiter)) {
                size.decrementAndGet();
            }
            return set.isEmpty() ? null : set;
        });
    }
}
