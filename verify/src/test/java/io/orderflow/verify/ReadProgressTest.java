package io.orderflow.verify;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ReadProgressTest {
    private final StringWriter out = new StringWriter();
    private final AtomicLong clock = new AtomicLong();
    private final ReadProgress progress = new ReadProgress(new PrintWriter(out), clock::get);

    @Test
    void shouldPrintOnlyTheFinalLineWhenReadingTakesLessThanASecond() {
        // Given
        progress.start(totals(100, 20));

        // When
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        progress.update(Map.of("order.events", 50L));
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        progress.update(Map.of("order.events", 100L, "order.status", 20L));
        progress.finish(115);

        // Then
        assertThat(out.toString()).isEqualTo(
                "verify: read 115 records from 2 topics (120 offsets, transaction markers included) in 800ms"
                        + System.lineSeparator());
    }

    @Test
    void shouldPrintAtMostOneLinePerSecondWithEachTopicWhenReadingTakesLonger() {
        // Given
        progress.start(totals(100, 20));

        // When updates arrive every 300 ms for 2.4 s
        for (int i = 1; i <= 8; i++) {
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
            progress.update(Map.of("order.events", (long) i * 10, "order.status", 0L));
        }

        // Then one line at 1.2 s and the next at 2.4 s, not earlier
        assertThat(out.toString().lines()).containsExactly(
                "verify: reading 40/120 offsets (33%) — order.events 40/100, order.status 0/20",
                "verify: reading 80/120 offsets (66%) — order.events 80/100, order.status 0/20");
    }

    private static Map<String, Long> totals(long events, long statuses) {
        Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("order.events", events);
        totals.put("order.status", statuses);
        return totals;
    }
}
