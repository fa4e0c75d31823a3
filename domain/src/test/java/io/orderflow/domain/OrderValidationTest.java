package io.orderflow.domain;

import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.EUR;
import static io.orderflow.domain.DomainFixtures.line;
import static io.orderflow.domain.DomainFixtures.order;
import static org.assertj.core.api.Assertions.assertThat;

class OrderValidationTest {
    private static List<OrderLine> lines(int n) {
        return IntStream.range(0, n).mapToObj(i -> line("sku-" + i, 1, 100)).toList();
    }

    @Test
    void shouldFindNoProblemWhenTheOrderIsValid() {
        // Given
        OrderPlaced placed = order(line("s1", 2, 1250), line("s2", 1, 0));

        // When / Then
        assertThat(OrderValidation.problem(placed)).isNull();
    }

    @Test
    void shouldAcceptFiftyLinesWhenThatIsTheLimit() {
        // Given
        OrderPlaced placed = order(CUSTOMER, EUR, lines(OrderValidation.MAX_LINES));

        // When / Then
        assertThat(OrderValidation.problem(placed)).isNull();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(order(CUSTOMER, EUR, List.of()), "1-50 lines"),
                Arguments.of(order(CUSTOMER, EUR, lines(51)), "this one has 51"),
                Arguments.of(order(null, EUR, lines(1)), "customerId is missing"),
                Arguments.of(order("", EUR, lines(1)), "customerId"),
                Arguments.of(order("c".repeat(65), EUR, lines(1)), "customerId"),
                Arguments.of(order("c\u00e9", EUR, lines(1)), "customerId"),
                Arguments.of(order(CUSTOMER, "EURO", lines(1)), "currency"),
                Arguments.of(order(CUSTOMER, "ZZZ", lines(1)), "ISO 4217"),
                Arguments.of(order(line("s1", 1, 1), line("s 2", 1, 1)), "lines[1].sku"),
                Arguments.of(order(line("s1", 1, 1), line("s1", 1, 1)), "appears twice"),
                Arguments.of(order(line("s1", 0, 1)), "lines[0].quantity"),
                Arguments.of(order(line("s1", 1, 1), line("s2", -5, 1)), "lines[1].quantity"),
                Arguments.of(order(line("s1", 1, -1)), "lines[0].unitPrice"),
                Arguments.of(order(line("s1", 2, Long.MAX_VALUE / 2 + 1)), "overflows"),
                Arguments.of(order(line("s1", 1, Long.MAX_VALUE), line("s2", 1, 1)), "overflows"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void shouldNameTheProblemWhenTheOrderBreaksARule(OrderPlaced placed, String expected) {
        // Given: an order breaking one rule

        // When
        String problem = OrderValidation.problem(placed);

        // Then
        assertThat(problem).isNotNull().contains(expected);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "Ring twice", "line one\nline two\r\n\tindented", "caf\u00e9 \u2615 \uD83D\uDCE6"})
    void shouldAcceptTheNoteWhenItIsPrintableTextOrAbsent(String note) {
        // Given
        OrderPlaced placed = order(line("s1", 1, 100));
        placed.setNote(note);

        // When / Then
        assertThat(OrderValidation.problem(placed)).isNull();
    }

    @Test
    void shouldCountCharactersNotCodeUnitsWhenTheNoteIsAtTheLimit() {
        // Given 500 characters that are each two UTF-16 code units
        String note = "\uD83D\uDCE6".repeat(OrderValidation.MAX_NOTE);

        // When / Then
        assertThat(OrderValidation.noteProblem(note)).isNull();
        assertThat(OrderValidation.noteProblem(note + "x")).isEqualTo("note must be at most 500 characters, was 501");
    }

    static Stream<Arguments> controlCharacters() {
        return Stream.of(
                Arguments.of("bell\u0007", "character 5 is U+0007"),
                Arguments.of("\u0000", "character 1 is U+0000"),
                Arguments.of("\uD83D\uDCE6 esc\u001b[31m", "character 6 is U+001B"),
                Arguments.of("del\u007f", "character 4 is U+007F"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("controlCharacters")
    void shouldNameTheCharacterWhenTheNoteHoldsAControlCharacter(String note, String expected) {
        // Given
        OrderPlaced placed = order(line("s1", 1, 100));
        placed.setNote(note);

        // When
        String problem = OrderValidation.problem(placed);

        // Then
        assertThat(problem).isEqualTo("note must not contain control characters; " + expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"EUR", "USD", "JPY", "CHF"})
    void shouldAcceptTheCurrencyWhenItIsAnIsoCode(String code) {
        // Given / When / Then
        assertThat(OrderValidation.currencyProblem(code)).isNull();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "EU", "EURO", "ZZZ", "eur", "12€"})
    void shouldNameTheProblemWhenTheCurrencyIsNotAnIsoCode(String code) {
        // Given / When / Then
        assertThat(OrderValidation.currencyProblem(code)).isNotNull().contains("currency");
    }

    @Test
    void shouldSumQuantityTimesUnitPriceWhenComputingTheTotal() {
        // Given
        List<OrderLine> lines = List.of(line("s1", 2, 1250), line("s2", 3, 0), line("s3", 1, 499));

        // When / Then
        assertThat(OrderValidation.total(lines)).isEqualTo(2999L);
        assertThat(OrderValidation.total(List.of())).isZero();
    }

    @Test
    void shouldReturnMinusOneWhenTheTotalOverflows() {
        // Given
        List<OrderLine> multiplyOverflow = List.of(line("s1", Integer.MAX_VALUE, Long.MAX_VALUE / 2));
        List<OrderLine> addOverflow = List.of(line("s1", 1, Long.MAX_VALUE), line("s2", 1, 1));

        // When / Then
        assertThat(OrderValidation.total(multiplyOverflow)).isEqualTo(-1L);
        assertThat(OrderValidation.total(addOverflow)).isEqualTo(-1L);
    }

    @Test
    void shouldAcceptTheLargestTotalWhenItFitsInALong() {
        // Given
        OrderPlaced placed = order(line("s1", 1, Long.MAX_VALUE));

        // When / Then
        assertThat(OrderValidation.problem(placed)).isNull();
        assertThat(OrderValidation.total(placed.getLines())).isEqualTo(Long.MAX_VALUE);
    }
}
