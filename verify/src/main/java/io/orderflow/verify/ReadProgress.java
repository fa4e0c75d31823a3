package io.orderflow.verify;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.LongSupplier;

/**
 * Progress of a read for people, on stderr: at most one line per {@link #INTERVAL} while reading, naming each
 * topic's offsets read against its total, and one final line. A read shorter than the interval prints only the
 * final line. Totals are offset ranges, so they include transaction markers and aborted records, which a
 * {@code read_committed} consumer skips.
 */
final class ReadProgress {
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final PrintWriter out;
    private final LongSupplier nanoClock;
    private final Map<String, Long> totals = new LinkedHashMap<>();
    private long started;
    private long lastLine;

    ReadProgress(PrintWriter out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
    }

    /** Reading begins: {@code totals} is, per topic, how many offsets lie between where reading starts and ends. */
    void start(Map<String, Long> totalsPerTopic) {
        totals.clear();
        totals.putAll(totalsPerTopic);
        started = nanoClock.getAsLong();
        lastLine = started;
    }

    /** Offsets read so far per topic; prints a line if the last one is at least {@link #INTERVAL} old. */
    void update(Map<String, Long> readPerTopic) {
        long now = nanoClock.getAsLong();
        if (now - lastLine < INTERVAL.toNanos()) {
            return;
        }
        lastLine = now;
        long read = 0;
        long total = 0;
        StringJoiner topics = new StringJoiner(", ");
        for (Map.Entry<String, Long> topic : totals.entrySet()) {
            long done = Math.min(readPerTopic.getOrDefault(topic.getKey(), 0L), topic.getValue());
            read += done;
            total += topic.getValue();
            topics.add(topic.getKey() + " " + done + "/" + topic.getValue());
        }
        out.println("verify: reading " + read + "/" + total + " offsets (" + percent(read, total) + ") — " + topics);
        out.flush();
    }

    /** Reading is done: {@code records} values went into the log. */
    void finish(long records) {
        long offsets = totals.values().stream().mapToLong(Long::longValue).sum();
        Duration took = Duration.ofNanos(nanoClock.getAsLong() - started);
        out.println("verify: read " + records + " records from " + totals.size() + " topics (" + offsets
                + " offsets, transaction markers included) in " + Format.duration(took));
        out.flush();
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "100%" : (part * 100 / whole) + "%";
    }
}
