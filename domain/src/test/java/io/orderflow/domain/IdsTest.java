package io.orderflow.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {
    @ParameterizedTest
    @ValueSource(strings = {"o1", "A", "order-1.2_3:x", "0", "-", "..."})
    void shouldAcceptTheIdWhenItUsesOnlyAllowedCharacters(String id) {
        // Given / When / Then
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(Ids.problem("orderId", id)).isNull();
    }

    @Test
    void shouldAcceptTheIdWhenItIsExactlySixtyFourCharacters() {
        // Given
        String id = "x".repeat(64);

        // When / Then
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(Ids.isValid(id + "x")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "o 1", "o/1", "o\n", "ö", "o1\u0000", "a,b", "{\"x\":1}"})
    void shouldNameTheFieldWhenTheIdHasForbiddenCharacters(String id) {
        // Given / When
        String problem = Ids.problem("sku", id);

        // Then
        assertThat(Ids.isValid(id)).isFalse();
        assertThat(problem).startsWith("sku '").contains("1-64 characters");
    }

    @ParameterizedTest
    @NullSource
    void shouldSayTheIdIsMissingWhenItIsNull(String id) {
        // Given / When / Then
        assertThat(Ids.isValid(id)).isFalse();
        assertThat(Ids.problem("customerId", id)).isEqualTo("customerId is missing");
    }

    @Test
    void shouldAbbreviateTheIdWhenItIsTooLongToQuote() {
        // Given
        String id = "y".repeat(500);

        // When
        String problem = Ids.problem("orderId", id);

        // Then
        assertThat(problem).contains("y".repeat(77) + "...").doesNotContain("y".repeat(78));
        assertThat(Text.abbreviate("short", 80)).isEqualTo("short");
        assertThat(Text.abbreviate("z".repeat(80), 80)).isEqualTo("z".repeat(80));
        assertThat(Text.abbreviate("z".repeat(81), 80)).hasSize(80).endsWith("...");
    }
}
