package io.orderflow.devtools.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * Every fault of a chaos run, when it began and ended, and how the cluster recovered from it. A sampler
 * ({@link #sample}) looks at the instances twice a second; per fault it records
 * <ul>
 *   <li><b>ready again</b>: the first sample, after the fault ended (victim restarted, resumed or healed), in which
 *       every instance answers {@code /ready} with 200;</li>
 *   <li><b>pending back</b>: the first sample, after the fault ended, in which every instance answers and the sum of
 *       their {@code saga_pending} is at most what it was in the last sample before the fault.</li>
 * </ul>
 * The processing stall, from the last terminal status before the fault to the first after it, is taken at the end
 * from the arrival times of terminal statuses ({@link #faults}).
 */
final class FaultLog {
    /** One fault as it happens. */
    static final class Entry {
        private final FaultKind kind;
        private final String victim;
        private final String detail;
        private final long began;
        private final double pendingBefore;
        private volatile long ended;
        private long readyAt;
        private long pendingBackAt;

        private Entry(FaultKind kind, String victim, String detail, long began, double pendingBefore) {
            this.kind = kind;
            this.victim = victim;
            this.detail = detail;
            this.began = began;
            this.pendingBefore = pendingBefore;
        }
    }

    /** What one sample saw: whether every instance was ready, and their pending sagas (NaN unless all answered). */
    record Sample(long at, boolean allReady, double pending) {
    }

    private final long runStarted;
    private final List<Entry> entries = new ArrayList<>();
    private double lastPending = Double.NaN;
    private boolean lastAllReady;

    FaultLog(long runStarted) {
        this.runStarted = runStarted;
    }

    /** Records that a fault begins now. */
    synchronized Entry begin(FaultKind kind, String victim, String detail) {
        Entry entry = new Entry(kind, victim, detail, System.nanoTime(), lastPending);
        entries.add(entry);
        return entry;
    }

    /** Records that the fault is over: its victim restarted, resumed or healed. */
    void end(Entry entry) {
        entry.ended = System.nanoTime();
    }

    /** Seconds since the run started, of when {@code entry} began. */
    double at(Entry entry) {
        return (entry.began - runStarted) / 1e9;
    }

    synchronized void sample(Sample sample) {
        for (Entry entry : entries) {
            long ended = entry.ended;
            if (ended == 0 || sample.at() < ended) {
                continue;
            }
            if (entry.readyAt == 0 && sample.allReady()) {
                entry.readyAt = sample.at();
            }
            if (entry.pendingBackAt == 0 && !Double.isNaN(sample.pending())
                    && (Double.isNaN(entry.pendingBefore) || sample.pending() <= entry.pendingBefore)) {
                entry.pendingBackAt = sample.at();
            }
        }
        if (!Double.isNaN(sample.pending())) {
            lastPending = sample.pending();
        }
        lastAllReady = sample.allReady();
    }

    /**
     * Whether the cluster has settled after every fault: each has ended, orders complete again since it began, and
     * its pending sagas are back to their level before it (the last two waived once it ended more than
     * {@code patience} ago), and every instance answered {@code /ready} with 200 in the last sample. The next fault
     * waits for this, so that each fault's stall and recovery are its own.
     *
     * @param stallAround as for {@link #faults}: negative while no order has completed since a moment
     */
    synchronized boolean settled(Duration patience, LongUnaryOperator stallAround) {
        long now = System.nanoTime();
        for (Entry entry : entries) {
            if (entry.ended == 0) {
                return false;
            }
            boolean recovered = entry.pendingBackAt != 0 && stallAround.applyAsLong(entry.began) >= 0;
            if (!recovered && now - entry.ended < patience.toNanos()) {
                return false;
            }
        }
        return lastAllReady;
    }



    /**
     * The faults with their recovery, in the order they began.
     *
     * @param stallAround for a moment (nanoTime), the gap between the last terminal status seen at or before it and
     *                    the first seen after it, in nanoseconds (-1 when there is none after it)
     */
    synchronized List<ChaosReport.Fault> faults(LongUnaryOperator stallAround) {
        List<ChaosReport.Fault> faults = new ArrayList<>();
        for (Entry entry : entries) {
            long stall = stallAround.applyAsLong(entry.began);
            faults.add(new ChaosReport.Fault(entry.kind, entry.victim, at(entry), seconds(entry.began, entry.ended),
                    entry.detail, stall < 0 ? Double.NaN : stall / 1e9, seconds(entry.began, entry.readyAt),
                    seconds(entry.began, entry.pendingBackAt)));
        }
        return faults;
    }

    private static double seconds(long from, long to) {
        return to == 0 ? Double.NaN : (to - from) / 1e9;
    }
}
