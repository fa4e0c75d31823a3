package io.orderflow.topology.views;

import java.time.Duration;
import java.time.Instant;

/**
 * The whole {@code order-analytics} windows a query for "the last {@code window}" reads, and so the interval its
 * answer reports: from the start of the window holding {@code now - window} to the end of the window holding
 * {@code now}. Counts are kept per whole window, so a reported interval that cut a window would leave out (or
 * claim) orders it does not count; this one is exactly the union of the windows summed.
 *
 * @param from the start of the first window (inclusive)
 * @param to   the end of the last window (exclusive)
 */
public record AnalyticsRange(Instant from, Instant to) {
    private static final long SIZE = ReadModelTopology.ANALYTICS_WINDOW.toMillis();

    /** The windows that cover the {@code window} up to {@code now}. */
    public static AnalyticsRange covering(Duration window, Instant now) {
        long end = AnalyticsProcessor.windowStart(now.toEpochMilli(), SIZE) + SIZE;
        long start = AnalyticsProcessor.windowStart(now.toEpochMilli() - window.toMillis(), SIZE);
        return new AnalyticsRange(Instant.ofEpochMilli(start), Instant.ofEpochMilli(end));
    }

    /** The start of the last window: window stores select windows by their start time, both bounds inclusive. */
    public Instant lastWindowStart() {
        return to.minusMillis(SIZE);
    }
}
