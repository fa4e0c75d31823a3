package io.orderflow.intake;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every content rule refuses the request with a message naming the field, and writes nothing. */
class IntakeValidationTest {
    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService intake;

    @BeforeAll
    static void startIntake() {
        db = DB.db();
        intake = DB.intake(OutboxMode.KEEP);
    }


    private static PlaceOrderRequest.Line line(String sku, int quantity, long unitPrice) {
        return new PlaceOrderRequest.Line(sku, quantity, unitPrice);
    }

    private static PlaceOrderRequest order(PlaceOrderRequest.Line... lines) {
        return new PlaceOrderRequest("c1", "EUR", Arrays.asList(lines));
    }

    static Stream<Arguments> invalidOrders() {
        List<PlaceOrderRequest.Line> tooMany = IntStream.range(0, 51).mapToObj(i -> line("s" + i, 1, 1)).toList();
        return Stream.of(
                arguments("customerId missing", new PlaceOrderRequest(null, "EUR", List.of(line("s1", 1, 1))),
                        "customerId is missing"),
                arguments("customerId bad characters", new PlaceOrderRequest("c 1", "EUR", List.of(line("s1", 1, 1))),
                        "customerId 'c 1' must be 1-64 characters"),
                arguments("customerId too long", new PlaceOrderRequest("c".repeat(65), "EUR", List.of(line("s1", 1, 1))),
                        "customerId"),
                arguments("customerId empty", new PlaceOrderRequest("", "EUR", List.of(line("s1", 1, 1))), "customerId"),
                arguments("currency missing", new PlaceOrderRequest("c1", null, List.of(line("s1", 1, 1))), "currency"),
                arguments("currency not ISO", new PlaceOrderRequest("c1", "XYZ", List.of(line("s1", 1, 1))),
                        "currency 'XYZ' is not an ISO 4217 code"),
                arguments("currency lower case", new PlaceOrderRequest("c1", "eur", List.of(line("s1", 1, 1))), "currency"),
                arguments("currency too long", new PlaceOrderRequest("c1", "EURO", List.of(line("s1", 1, 1))), "currency"),
                arguments("lines missing", new PlaceOrderRequest("c1", "EUR", null), "lines is missing"),
                arguments("no lines", new PlaceOrderRequest("c1", "EUR", List.of()), "1-50 lines, this one has 0"),
                arguments("51 lines", new PlaceOrderRequest("c1", "EUR", tooMany), "1-50 lines, this one has 51"),
                arguments("line missing", new PlaceOrderRequest("c1", "EUR", Collections.singletonList(null)),
                        "lines[0] is missing"),
                arguments("sku missing", order(line("s1", 1, 1), line(null, 1, 1)), "lines[1].sku is missing"),
                arguments("sku bad characters", order(line("s1", 1, 1), line("s/2", 1, 1)), "lines[1].sku 's/2'"),
                arguments("sku twice", order(line("s1", 1, 1), line("s1", 2, 1)), "lines[1].sku 's1' appears twice"),
                arguments("quantity zero", order(line("s1", 1, 1), line("s2", 0, 1)),
                        "lines[1].quantity must be > 0, was 0"),
                arguments("quantity negative", order(line("s1", -3, 1)), "lines[0].quantity must be > 0, was -3"),
                arguments("unit price negative", order(line("s1", 1, -1)), "lines[0].unitPrice must be >= 0, was -1"),
                arguments("total overflows", order(line("s1", Integer.MAX_VALUE, Long.MAX_VALUE / 2)),
                        "total overflows"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOrders")
    void shouldRefuseAndWriteNothingWhenOrderBreaksRule(String rule, PlaceOrderRequest request, String message) {
        // Given
        long rowsBefore = rows();

        // When / Then
        assertThatThrownBy(() -> intake.placeOrder("k-" + UUID.randomUUID(), request))
                .isInstanceOf(ValidationException.class).hasMessageContaining(message);
        assertThat(rows()).isEqualTo(rowsBefore);
    }

    static Stream<Arguments> invalidKeys() {
        return Stream.of(
                arguments("missing", null, "Idempotency-Key is required"),
                arguments("empty", "", "Idempotency-Key is required"),
                arguments("129 characters", "k".repeat(129), "Idempotency-Key must be at most 128 characters, was 129"),
                arguments("control character", "k\n1", "Idempotency-Key must be printable ASCII characters; character 2"),
                arguments("non-ASCII", "kä", "Idempotency-Key must be printable ASCII"),
                arguments("blank", "   ", "Idempotency-Key must not be blank"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidKeys")
    void shouldRefuseAndWriteNothingWhenIdempotencyKeyIsInvalid(String rule, String key, String message) {
        // Given
        long rowsBefore = rows();

        // When / Then
        assertThatThrownBy(() -> intake.placeOrder(key, order(line("s1", 1, 1))))
                .isInstanceOf(ValidationException.class).hasMessageContaining(message);
        assertThat(rows()).isEqualTo(rowsBefore);
    }

    @Test
    void shouldRefuseCancelWhenOrderIdIsMalformed() {
        // When / Then
        assertThatThrownBy(() -> intake.cancelOrder("o 1", null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("orderId 'o 1'");
        assertThatThrownBy(() -> intake.cancelOrder("o1", "k\t"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Idempotency-Key");
    }

    @Test
    void shouldAcceptOrderWhenEveryValueIsAtItsLimit() {
        // Given: 50 lines, free items, a 64-character customer id and a 128-character key
        List<PlaceOrderRequest.Line> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add(line("sku-" + i, i == 0 ? Integer.MAX_VALUE : 1, 0));
        }
        String customer = "c".repeat(63) + "1";

        // When
        OrderAccepted accepted = intake.placeOrder("k".repeat(128), new PlaceOrderRequest(customer, "JPY", lines));

        // Then
        assertThat(accepted.status()).isEqualTo("PLACED");
        assertThat(db.count("SELECT total FROM orders WHERE order_id = ?", accepted.orderId())).isZero();
    }

    private static long rows() {
        return db.count("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM idempotency_keys) "
                + "+ (SELECT count(*) FROM outbox)");
    }
}
