package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngressJsonTest {

    private final IngressReader reader = new IngressReader(new LocalSchemaRegistry());

    @Test
    void shouldWriteExactlyTheContractExamplesWhenGivenTheirRecords() {
        // Given the examples of the public contract, as records

        // When
        String placed = text(IngressJson.write(Samples.orderPlaced()));
        String cancel = text(IngressJson.write(Samples.orderCancelRequested()));
        String adjustment = text(IngressJson.write(Samples.stockAdjusted()));
        String deposit = text(IngressJson.write(Samples.fundsDeposited()));

        // Then
        assertThat(placed).isEqualTo("{\"type\":\"OrderPlaced\",\"eventId\":\"e1\",\"orderId\":\"o1\",\"customerId\":\"c1\","
                + "\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250}]}");
        assertThat(cancel).isEqualTo("{\"type\":\"OrderCancelRequested\",\"eventId\":\"e2\",\"orderId\":\"o1\"}");
        assertThat(adjustment).isEqualTo(
                "{\"eventId\":\"a1\",\"sku\":\"s1\",\"delta\":100,\"reason\":\"restock\",\"expectedVersion\":3}");
        assertThat(deposit).isEqualTo("{\"eventId\":\"d1\",\"customerId\":\"c1\",\"amount\":100000,\"currency\":\"EUR\"}");
    }

    @Test
    void shouldReadBackEqualRecordsWhenWrittenAsJson() {
        // Given records with optional fields set and unset, and values at the edges of their types
        List<OrderEvent> orders = List.of(
                Samples.orderPlaced(),
                Samples.orderCancelRequested(),
                new OrderEvent(null, "o2", new OrderPlaced("c \"quoted\" ü", "EUR", List.of(
                        new OrderLine("s1", Integer.MAX_VALUE, Long.MAX_VALUE),
                        new OrderLine("s2", Integer.MIN_VALUE, Long.MIN_VALUE)), null)),
                new OrderEvent("e4", "o4", new OrderPlaced("c1", "EUR", List.of(new OrderLine("s1", 1, 0L)),
                        "Leave it at the \"back\" door,\nplease ü")),
                new OrderEvent(null, "o3", new OrderCancelRequested()));
        List<StockAdjusted> adjustments = List.of(Samples.stockAdjusted(), new StockAdjusted(null, "s1", -4, "shrinkage", null));
        List<FundsDeposited> deposits = List.of(Samples.fundsDeposited(), new FundsDeposited(null, "c1", 1L, "JPY"));

        // When / Then
        for (OrderEvent order : orders) {
            assertThat(reader.orderEvent(IngressJson.write(order))).isEqualTo(order);
        }
        for (StockAdjusted adjustment : adjustments) {
            assertThat(reader.stockAdjusted(IngressJson.write(adjustment))).isEqualTo(adjustment);
        }
        for (FundsDeposited deposit : deposits) {
            assertThat(reader.fundsDeposited(IngressJson.write(deposit))).isEqualTo(deposit);
        }
    }

    @Test
    void shouldLeaveOutOptionalFieldsWhenTheyAreNull() {
        // When
        String json = text(IngressJson.write(new StockAdjusted(null, "s1", 5, "restock", null)));

        // Then
        assertThat(json).isEqualTo("{\"sku\":\"s1\",\"delta\":5,\"reason\":\"restock\"}");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
