package io.orderflow.topology.views;

import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.topology.OrderflowDriver;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
}
