package io.orderflow.intake;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit for {@code POST /orders}: callers hand in their order and wait; a few writer threads each take
 * whatever orders are queued (up to {@code batchMax}, never waiting for more) and write them in one PostgreSQL
 * transaction ({@link OrderStore#placeOrders}). A caller is answered only after that transaction committed, so an
 * acknowledged order is as durable as before. Under light load a batch holds one order and nothing waits; under
 * heavy load, orders queue while a writer commits, and the next transaction takes them all.
 *
 * <p>One bad order must not fail the others: when a batch fails for any reason but an unreachable database, its
 * orders are written again one transaction each, so each gets its own answer or error.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    private static final long POLL_MS = 100;

    private record Pending(OrderStore.Placement placement, CompletableFuture<OrderStore.Answer> answer) {
    }

    private final OrderStore store;
    private final int batchMax;
    private final Duration timeout;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    /** @param timeout how long a caller waits for its transaction before it is answered "unavailable" */
    GroupCommit(OrderStore store, int batchMax, int writerCount, Duration timeout) {
        this.store = store;
        this.batchMax = batchMax;
        this.timeout = timeout;
        for (int i = 0; i < writerCount; i++) {
            Thread writer = new Thread(this::write, "orderflow-intake-writer-" + i);
            writer.setDaemon(true);
            writers.add(writer);
            writer.start();
        }
    }

    /**
     * Places one order in the next batch and waits until its transaction committed or failed.
     *
     * @throws DatabaseUnavailableException PostgreSQL cannot be reached, or the intake is shutting down
     * @throws IllegalStateException        the write failed for another reason (the message says which)
     */
    OrderStore.Answer place(OrderStore.Placement placement) {
        CompletableFuture<OrderStore.Answer> answer = new CompletableFuture<>();
        if (!running) {
            throw shuttingDown();
        }
        Pending pending = new Pending(placement, answer);
        queue.add(pending);
        if (!running) {
            // close() may have drained the queue before this order arrived; nobody else will answer it.
            failAll(shuttingDown());
        }
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // A hung database must not hold the caller's thread: answer now. Still queued, it is never written.
            String orderId = placement.order().orderId();
            throw new DatabaseUnavailableException(queue.remove(pending)
                    ? "no transaction could take order " + orderId + " within " + timeout + " (not written)"
                    : "the transaction of order " + orderId + " did not end within " + timeout
                            + " (it may still commit; retrying with the same Idempotency-Key is safe)", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while order " + placement.order().orderId()
                    + " was being written; retrying with the same Idempotency-Key is safe", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("writing order " + placement.order().orderId() + " failed", e.getCause());
        }
    }

    /** Orders waiting for a writer (not those in the batch being written). */
    int queued() {
        return queue.size();
    }

    private void write() {
        List<Pending> batch = new ArrayList<>(batchMax);
        while (running) {
            try {
                Pending first = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // writeBatch answers every order itself; this is a bug, and the orders must not wait forever.
                log.error("Intake writer failed on a batch of {} orders", batch.size(), e);
                batch.forEach(p -> p.answer().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void writeBatch(List<Pending> batch) {
        List<OrderStore.Answer> answers;
        try {
            answers = store.placeOrders(batch.stream().map(Pending::placement).toList());
        } catch (DatabaseUnavailableException e) {
            batch.forEach(p -> p.answer().completeExceptionally(e));
            return;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).answer().completeExceptionally(e);
                return;
            }
            log.warn("A batch of {} orders failed ({}); writing them one by one", batch.size(), e.getMessage());
            for (Pending pending : batch) {
                try {
                    OrderStore.Placement p = pending.placement();
                    pending.answer().complete(store.placeOrder(p.claim(), p.order(), p.event()));
                } catch (RuntimeException single) {
                    pending.answer().completeExceptionally(single);
                }
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).answer().complete(answers.get(i));
        }
    }

    private void failAll(RuntimeException failure) {
        for (Pending pending = queue.poll(); pending != null; pending = queue.poll()) {
            pending.answer().completeExceptionally(failure);
        }
    }

    private static DatabaseUnavailableException shuttingDown() {
        return new DatabaseUnavailableException("the order intake is shutting down", null);
    }

    /** Lets the writers finish the batch in hand, then answers every order still queued "unavailable". */
    @Override
    public void close() {
        running = false;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failAll(shuttingDown());
    }
}
