package io.orderflow.topology.views;

import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.topology.OrderflowDriver;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;

class AnalyticsTopologyTest {
    private static final long MINUTE = ReadModelTopology.ANALYTICS_WINDOW.toMillis();

    @Test
    void shouldCountOrdersEnteringEachStatusPerWindowWhenSagasEnd() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");
            long window = AnalyticsProcessor.windowStart(d.now().toEpochMilli(), MINUTE);

            // When: o1 confirms (2 x 1250), o2 names an unknown sku and is cancelled
            d.place("e1", "o1", "c1", "EUR", line("s1", 2, 1250));
            d.place("e2", "o2", "c1", "EUR", line("nope", 1, 700));

            // Then
            WindowStore<String, StatusWindow> analytics = d.driver().getWindowStore(StoreNames.ORDER_ANALYTICS);
            assertThat(analytics.fetch("PLACED", window).getCount()).isEqualTo(2L);
            assertThat(analytics.fetch("PLACED", window).getAmounts()).isEqualTo(Map.of("EUR", 3200L));
            assertThat(analytics.fetch("CONFIRMED", window).getCount()).isEqualTo(1L);
            assertThat(analytics.fetch("CONFIRMED", window).getAmounts()).isEqualTo(Map.of("EUR", 2500L));
            assertThat(analytics.fetch("CANCELLED", window).getCount()).isEqualTo(1L);
            assertThat(analytics.fetch("CANCELLED", window).getAmounts()).isEqualTo(Map.of("EUR", 700L));
        }
    }

    @Test
    void shouldStartANewWindowWhenAMinuteHasPassed() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given: one order confirmed in the first window
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");
            long first = AnalyticsProcessor.windowStart(d.now().toEpochMilli(), MINUTE);
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));

            // When: another one a minute later
            d.advance(Duration.ofMinutes(1));
            long second = AnalyticsProcessor.windowStart(d.now().toEpochMilli(), MINUTE);
            d.place("e2", "o2", "c1", "EUR", line("s1", 1, 300));

            // Then
            WindowStore<String, StatusWindow> analytics = d.driver().getWindowStore(StoreNames.ORDER_ANALYTICS);
            assertThat(second).isEqualTo(first + MINUTE);
            assertThat(analytics.fetch("CONFIRMED", first).getAmounts()).isEqualTo(Map.of("EUR", 100L));
            assertThat(analytics.fetch("CONFIRMED", second).getAmounts()).isEqualTo(Map.of("EUR", 300L));
            assertThat(analytics.fetch("CONFIRMED", second).getCount()).isEqualTo(1L);
        }
    }

    @Test
    void shouldAlignWindowsToTheEpochWhenComputingTheirStart() {
        assertThat(AnalyticsProcessor.windowStart(0, MINUTE)).isZero();
        assertThat(AnalyticsProcessor.windowStart(MINUTE - 1, MINUTE)).isZero();
        assertThat(AnalyticsProcessor.windowStart(MINUTE, MINUTE)).isEqualTo(MINUTE);
        assertThat(AnalyticsProcessor.windowStart(5 * MINUTE + 17, MINUTE)).isEqualTo(5 * MINUTE);
    }

    @Test
    void shouldCountEveryOrderOfTheLastMinuteWhenItsWindowStartedBeforeTheMinute() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given a driver starting on a window boundary, stock and funds
            assertThat(d.now().toEpochMilli() % MINUTE).isZero();
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 100_000, "EUR");

            // When o1 confirms 30 s into the first window, o2 at its last millisecond, o3 at the next window's
            // first millisecond, and the query comes 80 s in (so the last minute began 20 s into the first window)
            d.advance(Duration.ofSeconds(30));
            d.place("e1", "o1", "c1", "EUR", line("s1", 1, 100));
            d.advance(Duration.ofMillis(29_999));
            d.place("e2", "o2", "c1", "EUR", line("s1", 1, 200));
            d.advance(Duration.ofMillis(1));
            d.place("e3", "o3", "c1", "EUR", line("s1", 1, 400));
            d.advance(Duration.ofSeconds(20));
            AnalyticsRange range = AnalyticsRange.covering(Duration.ofMinutes(1), d.now());

            // Then the range is the two whole windows, and summing them (as the query does) counts all three
            assertThat(range.from()).isEqualTo(d.now().minusSeconds(80));
            assertThat(range.to()).isEqualTo(d.now().plusSeconds(40));
            WindowStore<String, StatusWindow> analytics = d.driver().getWindowStore(StoreNames.ORDER_ANALYTICS);
            List<StatusWindow> confirmed = new ArrayList<>();
            try (var windows = analytics.fetchAll(range.from(), range.lastWindowStart())) {
                windows.forEachRemaining(w -> {
                    if (w.key.key().equals("CONFIRMED")) {
                        confirmed.add(w.value);
                    }
                });
            }
            long count = confirmed.stream().mapToLong(StatusWindow::getCount).sum();
            long amount = confirmed.stream().mapToLong(w -> w.getAmounts().get("EUR")).sum();
            assertThat(count).isEqualTo(3);
            assertThat(amount).isEqualTo(700);
            // And the window edges fall where the records' timestamps say: o2 in the first, o3 in the second
            long first = range.from().toEpochMilli();
            assertThat(analytics.fetch("CONFIRMED", first).getAmounts()).isEqualTo(Map.of("EUR", 300L));
            assertThat(analytics.fetch("CONFIRMED", first + MINUTE).getAmounts()).isEqualTo(Map.of("EUR", 400L));
        }
    }

    @Test
    void shouldCoverWholeWindowsWhenTheWindowIsNoMultipleOfTheirSize() {
        // Given a query for the last 90 s at 10:02:30
        Instant now = Instant.parse("2026-01-01T10:02:30Z");

        // When
        AnalyticsRange range = AnalyticsRange.covering(Duration.ofSeconds(90), now);

        // Then it sums the windows from 10:01 to 10:03: every instant of the 90 s, and says so
        assertThat(range.from()).isEqualTo(Instant.parse("2026-01-01T10:01:00Z"));
        assertThat(range.to()).isEqualTo(Instant.parse("2026-01-01T10:03:00Z"));
        assertThat(range.lastWindowStart()).isEqualTo(Instant.parse("2026-01-01T10:02:00Z"));
    }
}
