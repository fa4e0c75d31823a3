package io.orderflow.topology.saga;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineIndexTest {

    @Test
    void shouldZeroPadTheDeadlineToThirteenDigitsWhenBuildingAKey() {
        // Given / When
        String key = DeadlineIndex.key(1_700_000_000_123L, "o-1");
        String early = DeadlineIndex.key(42, "o-2");

        // Then
        assertThat(key).isEqualTo("1700000000123|o-1");
        assertThat(early).isEqualTo("0000000000042|o-2");
        assertThat(DeadlineIndex.deadlineOf(early)).isEqualTo(42);
    }

    @Test
    void shouldSortByDeadlineWhenKeysAreComparedAsStrings() {
        // Given
        String sooner = DeadlineIndex.key(999, "zzz");
        String later = DeadlineIndex.key(1_000, "aaa");

        // When / Then
        assertThat(sooner).isLessThan(later);
        assertThat(DeadlineIndex.key(1_000, "o-9")).isLessThan(DeadlineIndex.dueBy(1_000));
        assertThat(DeadlineIndex.key(1_001, "o-9")).isGreaterThan(DeadlineIndex.dueBy(1_000));
    }

    @Test
    void shouldRejectANegativeDeadlineWhenBuildingAKey() {
        assertThatThrownBy(() -> DeadlineIndex.key(-1, "o-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
