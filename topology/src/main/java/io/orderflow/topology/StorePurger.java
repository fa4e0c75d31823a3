package io.orderflow.topology;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Deletes the entries of one key-value store that ended more than a retention ago: a tombstone each, so the
 * compacted changelog shrinks too. Called from a wall-clock punctuation, it walks the store from where the last
 * call stopped, at most {@code maxPerRun} entries or {@code budget} of time per call, so that a large store never
 * stalls its stream thread. Scheduled with {@link #schedule}, each call reads only its share of a pass that takes a
 * tenth of the retention (at least one call, at most {@link #LONGEST_PASS}): an entry is deleted at most that much
 * later than its retention, and a store of ended orders kept for days is not read over and over.
 *
 * <p>No index is kept (an index would cost a changelog write per entry); the walk reads instead. An entry that
 * has ended but carries no end time (written by a version before retention existed) is stamped with the time the
 * walk finds it, and retention counts from there.
 *
 * @param <V> the store's value type
 */
public final class StorePurger<V> {

    /** The most entries one call reads. */
    public static final int MAX_PER_RUN = 10_000;
    /** The most time one call spends reading. */
    public static final Duration BUDGET = Duration.ofMillis(50);
    /** The fewest entries one scheduled call reads. */
    public static final int MIN_PER_RUN = 100;
    /** The longest a scheduled pass over a whole store takes; a tenth of the retention when that is shorter. */
    public static final Duration LONGEST_PASS = Duration.ofHours(1);

    /** How a store's values tell when they ended. */
    public interface Ending<V> {
        /** Whether nothing but a late compensation can change this entry any more. */
        boolean ended(V value);

        /** When it ended (wall-clock ms), or null if that was not recorded. */
        Long endedAt(V value);

        /** The value with its end time set to {@code now}. */
        V stamped(V value, long now);
    }

    /** An {@link Ending} from three functions. */
    public static <V> Ending<V> ending(Predicate<V> ended, Function<V, Long> endedAt,
                                       BiFunction<V, Long, V> stamped) {
        return new Ending<>() {
            @Override
            public boolean ended(V value) {
                return ended.test(value);
            }

            @Override
            public Long endedAt(V value) {
                return endedAt.apply(value);
            }

            @Override
            public V stamped(V value, long now) {
                return stamped.apply(value, now);
            }
        };
    }

    /**
     * Opens {@code storeName} in {@code context} and walks it every {@code every} (wall clock) with the default
     * bounds, counting what each pass deletes into {@code metrics}.
     */
    public static <V> void schedule(ProcessorContext<?, ?> context, String storeName, Ending<V> ending,
                                    Duration retention, Duration every, OrderflowMetrics metrics) {
        KeyValueStore<String, V> store = context.getStateStore(storeName);
        StorePurger<V> purger = new StorePurger<>(store, ending, retention, MAX_PER_RUN, BUDGET);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> metrics.purged(storeName,
                purger.run(now, paced(store.approximateNumEntries(), every, retention)).purged()));
    }

    /**
     * How many entries a call every {@code every} reads so that a store of about {@code entries} is walked once per
     * pass: a tenth of {@code retention}, at least one call and at most {@link #LONGEST_PASS}; between
     * {@link #MIN_PER_RUN} and {@link #MAX_PER_RUN}.
     */
    static int paced(long entries, Duration every, Duration retention) {
        long everyMs = Math.max(1, every.toMillis());
        long passMs = Math.max(everyMs, Math.min(LONGEST_PASS.toMillis(), retention.toMillis() / 10));
        long calls = passMs / everyMs;
        long perCall = (Math.max(0, entries) + calls - 1) / calls;
        return (int) Math.max(MIN_PER_RUN, Math.min(MAX_PER_RUN, perCall));
    }

    /** What one call did. */
    public record Pass(int read, int purged, int stamped, boolean wrapped) {
    }

    private final KeyValueStore<String, V> store;
    private final Ending<V> ending;
    private final Duration retention;
    private final int maxPerRun;
    private final Duration budget;
    /** The first key the next call reads; null: from the start. */
    private String from;

    public StorePurger(KeyValueStore<String, V> store, Ending<V> ending, Duration retention, int maxPerRun,
                       Duration budget) {
        if (maxPerRun < 1) {
            throw new IllegalArgumentException("maxPerRun must be >= 1, was " + maxPerRun);
        }
        this.store = store;
        this.ending = ending;
        this.retention = retention;
        this.maxPerRun = maxPerRun;
        this.budget = budget;
    }

    /** Reads the next stretch of the store; deletes what ended at or before {@code now - retention}. */
    public Pass run(long now) {
        return run(now, maxPerRun);
    }

    /** {@link #run(long)} reading at most {@code limit} entries (and never more than {@code maxPerRun}). */
    public Pass run(long now, int limit) {
        int most = Math.min(limit, maxPerRun);
        long purgeBefore = now - retention.toMillis();
        long stopAt = System.nanoTime() + budget.toNanos();
        List<String> expired = new ArrayList<>();
        List<KeyValue<String, V>> unstamped = new ArrayList<>();
        int read = 0;
        String last = null;
        boolean wrapped = false;
        // Collect first, write after: the iterator must be closed before the store changes under it.
        try (KeyValueIterator<String, V> it = from == null ? store.all() : store.range(from, null)) {
            while (true) {
                if (!it.hasNext()) {
                    wrapped = true;
                    break;
                }
                KeyValue<String, V> entry = it.next();
                read++;
                last = entry.key;
                if (entry.value != null && ending.ended(entry.value)) {
                    Long endedAt = ending.endedAt(entry.value);
                    if (endedAt == null) {
                        unstamped.add(KeyValue.pair(entry.key, ending.stamped(entry.value, now)));
                    } else if (endedAt <= purgeBefore) {
                        expired.add(entry.key);
                    }
                }
                if (read >= most || (read % 128 == 0 && System.nanoTime() - stopAt > 0)) {
                    break;
                }
            }
        }
        // The smallest key after the last one read: '\0' appended sorts right after it in UTF-8 byte order.
        from = wrapped ? null : last + '\0';
        for (String key : expired) {
            store.delete(key);
        }
        for (KeyValue<String, V> entry : unstamped) {
            store.put(entry.key, entry.value);
        }
        return new Pass(read, expired.size(), unstamped.size(), wrapped);
    }
}
