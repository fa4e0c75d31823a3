package io.orderflow.verify;

import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.Invariant;
import io.orderflow.invariants.InvariantResult;
import io.orderflow.invariants.Violation;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Invariant 6, which only a broker can answer: no transaction is left open, i.e. on every partition the last
 * stable offset (the latest offset a {@code read_committed} consumer may read up to) equals the end offset.
 *
 * <p>Both offsets are taken once for every partition. A partition where they differ is asked again for up to
 * {@link #SETTLE}: Kafka Streams commits every 100 ms under exactly-once, so a transaction that was merely in
 * flight ends well within that, and only one still open afterwards is a violation. The offsets of that first
 * look are also where {@link TopicLogReader} stops, so the log is one cut of the cluster.
 */
final class OpenTransactionCheck {
    /** How long a transaction found open may take to end before it counts as left open. */
    static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration RECHECK = Duration.ofMillis(200);

    /**
     * The result and, per partition, the offset reading should stop at: the end offset of the first look, or
     * the last stable offset where a transaction stayed open (a {@code read_committed} consumer gets no further).
     */
    record Outcome(InvariantResult result, Map<TopicPartition, Long> readUpTo) {
    }

    private OpenTransactionCheck() {
    }

    static Outcome check(AdminCalls admin, Collection<TopicPartition> partitions, Duration settle) {
        Map<TopicPartition, Long> end = admin.offsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, Long> stable = admin.offsets(partitions, OffsetSpec.latest(),
                IsolationLevel.READ_COMMITTED);
        Set<TopicPartition> open = new TreeSet<>(Partitions.ORDER);
        for (TopicPartition tp : partitions) {
            if (stable.get(tp) < end.get(tp)) {
                open.add(tp);
            }
        }
        long deadline = System.nanoTime() + settle.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            pause();
            Map<TopicPartition, Long> again = admin.offsets(open, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
            again.forEach((tp, offset) -> {
                stable.put(tp, offset);
                // Stable up to the first look's end: whatever was open then has ended.
                if (offset >= end.get(tp)) {
                    open.remove(tp);
                }
            });
        }
        List<Violation> violations = new ArrayList<>();
        for (TopicPartition tp : open) {
            long lso = stable.get(tp);
            violations.add(new Violation(tp.toString(), Coordinates.of(tp.topic(), tp.partition(), lso),
                    "last stable offset = end offset " + end.get(tp), "last stable offset " + lso,
                    "open transaction: records from offset " + lso + " on wait for a transaction that was neither "
                            + "committed nor aborted within " + Format.duration(settle)));
        }
        Map<TopicPartition, Long> readUpTo = new TreeMap<>(Partitions.ORDER);
        for (TopicPartition tp : partitions) {
            readUpTo.put(tp, Math.min(end.get(tp), stable.get(tp)));
        }
        return new Outcome(InvariantResult.of(Invariant.NO_OPEN_TRANSACTIONS, partitions.size(), violations),
                readUpTo);
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(RECHECK.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking for open transactions", e);
        }
    }
}
