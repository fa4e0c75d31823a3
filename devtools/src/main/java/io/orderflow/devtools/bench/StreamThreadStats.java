package io.orderflow.devtools.bench;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Locale;
import java.util.Map;

/**
 * Where a Streams instance's threads spent a measured run, from Kafka's cumulative client metrics: how many
 * commits, how long the exactly-once commit's parts took (the producer's flush, sending the offsets, committing
 * the transaction), and how long the threads were blocked on the broker. Taken as the difference of two snapshots,
 * so it covers exactly the run between them, however long the instance ran before.
 *
 * @param commits          commits of all stream threads ({@code commit-total})
 * @param flushNanos       the producers' {@code flush-time-ns-total}
 * @param sendOffsetsNanos the producers' {@code txn-send-offsets-time-ns-total}
 * @param txnCommitNanos   the producers' {@code txn-commit-time-ns-total}
 * @param blockedNanos     the threads' {@code blocked-time-ns-total} (waiting on the broker: poll, flush, commit)
 * @param processed        records processed ({@code process-total})
 */
record StreamThreadStats(double commits, double flushNanos, double sendOffsetsNanos, double txnCommitNanos,
                         double blockedNanos, double processed) {

    static StreamThreadStats of(Map<MetricName, ? extends Metric> metrics) {
        double commits = 0;
        double flush = 0;
        double sendOffsets = 0;
        double txnCommit = 0;
        double blocked = 0;
        double processed = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!(e.getValue().metricValue() instanceof Number value)) {
                continue;
            }
            double v = value.doubleValue();
            if (name.group().equals("stream-thread-metrics")) {
                switch (name.name()) {
                    case "commit-total" -> commits += v;
                    case "blocked-time-ns-total" -> blocked += v;
                    case "process-total" -> processed += v;
                    default -> { }
                }
            } else if (name.group().equals("producer-metrics")) {
                switch (name.name()) {
                    case "flush-time-ns-total" -> flush += v;
                    case "txn-send-offsets-time-ns-total" -> sendOffsets += v;
                    case "txn-commit-time-ns-total" -> txnCommit += v;
                    default -> { }
                }
            }
        }
        return new StreamThreadStats(commits, flush, sendOffsets, txnCommit, blocked, processed);
    }

    StreamThreadStats minus(StreamThreadStats before) {
        return new StreamThreadStats(commits - before.commits, flushNanos - before.flushNanos,
                sendOffsetsNanos - before.sendOffsetsNanos, txnCommitNanos - before.txnCommitNanos,
                blockedNanos - before.blockedNanos, processed - before.processed);
    }

    /** The producers' share of the commits: flush, sending the offsets and committing the transaction. */
    double commitNanos() {
        return flushNanos + sendOffsetsNanos + txnCommitNanos;
    }

    double recordsPerSaga(long sagas) {
        return processed / Math.max(1, sagas);
    }

    /** One line for the bench's report; {@code seconds} is the run's wall time, {@code sagas} its sagas. */
    String render(double seconds, long sagas) {
        double n = Math.max(1, commits);
        return String.format(Locale.ROOT, "%.0f commits (%.1f/s), each waiting %.1f ms for the broker (producer flush "
                        + "%.1f, send offsets %.1f, commit transaction %.1f); threads blocked on the broker %.0f %% of "
                        + "the run; %.1f records processed per saga",
                commits, commits / seconds, commitNanos() / n / 1e6, flushNanos / n / 1e6, sendOffsetsNanos / n / 1e6,
                txnCommitNanos / n / 1e6, blockedNanos / 1e9 / seconds * 100, recordsPerSaga(sagas));
    }
}
