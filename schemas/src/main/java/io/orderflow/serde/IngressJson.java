package io.orderflow.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes ingress records as the public JSON contract that {@link IngressReader} reads, for tools
 * and tests that produce JSON records the way a console producer would. Optional fields that are
 * null are left out.
 */
public final class IngressJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private IngressJson() {
    }

    /** An {@code order.events} value, flat with a {@code type} field. */
    public static byte[] write(OrderEvent event) {
        return write(json -> {
            Object payload = event.getEvent();
            if (payload instanceof OrderPlaced placed) {
                json.writeStringField("type", IngressReader.ORDER_PLACED);
                writeIds(json, event);
                json.writeStringField("customerId", placed.getCustomerId());
                json.writeStringField("currency", placed.getCurrency());
                json.writeArrayFieldStart("lines");
                for (OrderLine line : placed.getLines()) {
                    json.writeStartObject();
                    json.writeStringField("sku", line.getSku());
                    json.writeNumberField("quantity", line.getQuantity());
                    json.writeNumberField("unitPrice", line.getUnitPrice());
                    json.writeEndObject();
                }
                json.writeEndArray();
                if (placed.getNote() != null) {
                    json.writeStringField("note", placed.getNote());
                }
            } else if (payload instanceof OrderCancelRequested) {
                json.writeStringField("type", IngressReader.ORDER_CANCEL_REQUESTED);
                writeIds(json, event);
            } else {
                throw new IllegalArgumentException("order event " + event.getOrderId()
                        + " has no OrderPlaced or OrderCancelRequested payload: " + payload);
            }
        });
    }

    /** An {@code inventory.adjustments} value. */
    public static byte[] write(StockAdjusted adjustment) {
        return write(json -> {
            writeOptional(json, "eventId", adjustment.getEventId());
            json.writeStringField("sku", adjustment.getSku());
            json.writeNumberField("delta", adjustment.getDelta());
            json.writeStringField("reason", adjustment.getReason());
            if (adjustment.getExpectedVersion() != null) {
                json.writeNumberField("expectedVersion", adjustment.getExpectedVersion());
            }
        });
    }

    /** A {@code payment.deposits} value. */
    public static byte[] write(FundsDeposited deposit) {
        return write(json -> {
            writeOptional(json, "eventId", deposit.getEventId());
            json.writeStringField("customerId", deposit.getCustomerId());
            json.writeNumberField("amount", deposit.getAmount());
            json.writeStringField("currency", deposit.getCurrency());
        });
    }

    private static void writeIds(JsonGenerator json, OrderEvent event) throws IOException {
        writeOptional(json, "eventId", event.getEventId());
        json.writeStringField("orderId", event.getOrderId());
    }

    private static void writeOptional(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }
}
