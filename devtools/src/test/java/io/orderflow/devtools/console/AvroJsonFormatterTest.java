package io.orderflow.devtools.console;

import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AvroJsonFormatterTest {

    @Test
    void shouldPrintPlainJsonWhenValueIsInWireFormat() {
        // Given
        OrderStatusChanged change = new OrderStatusChanged("o1:v2", "o1", "c1", OrderStatus.AWAITING,
                OrderStatus.PLACED, null, 2, 250L, "EUR", List.of(new OrderLine("s1", 2, 125L)), 1L, 2L, null);
        byte[] wire = new AvroSerde<>(OrderStatusChanged.class, LocalSchemaRegistry.instance()).serializer()
                .serialize("order.status", change);
        AvroJsonFormatter formatter = new AvroJsonFormatter();
        formatter.configure(Map.of("schema.registry.url", "local:"));

        // When
        String json = formatter.render(wire);

        // Then unions are unwrapped, as a person reads them
        assertThat(json).contains("\"previousStatus\": \"PLACED\"").contains("\"status\": \"AWAITING\"")
                .contains("\"unitPrice\": 125");
    }

    @Test
    void shouldPrintTextWhenValueIsJson() {
        AvroJsonFormatter formatter = new AvroJsonFormatter();
        formatter.configure(Map.of());
        assertThat(formatter.render("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"a\":1}");
    }
}
