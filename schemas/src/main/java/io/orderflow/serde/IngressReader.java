package io.orderflow.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the values of the ingress topics ({@code order.events}, {@code inventory.adjustments},
 * {@code payment.deposits}), which accept either JSON text — so plain {@code kafka-console-producer}
 * works — or Avro in the Schema Registry wire format.
 *
 * <p>JSON must match the public contract exactly: field names as in the Avro schema, integers
 * where the schema has int or long (money in minor units), no unknown fields, one object per
 * record. Only structure and types are checked here; business rules (quantity &gt; 0, id format,
 * currency) belong to the domain layer, which rejects with a reason instead of dropping.
 *
 * <p>A record that cannot be read throws {@link InvalidRecordException} whose message names the
 * problem and the field; that includes a wire-format record whose schema id the registry does not
 * know. A registry that cannot be reached or fails throws {@link SchemaRegistryException}
 * instead, because then the record may be fine. Thread-safe.
 */
public final class IngressReader {

    static final String ORDER_EVENTS = "order.events";
    static final String INVENTORY_ADJUSTMENTS = "inventory.adjustments";
    static final String PAYMENT_DEPOSITS = "payment.deposits";

    static final String ORDER_PLACED = "OrderPlaced";
    static final String ORDER_CANCEL_REQUESTED = "OrderCancelRequested";

    // Lists in contract order, so that error messages list them the way the contract does.
    private static final List<String> ORDER_PLACED_FIELDS =
            List.of("type", "eventId", "orderId", "customerId", "currency", "lines", "note");
    private static final List<String> ORDER_CANCEL_FIELDS = List.of("type", "eventId", "orderId");
    private static final List<String> LINE_FIELDS = List.of("sku", "quantity", "unitPrice");
    private static final List<String> STOCK_ADJUSTED_FIELDS =
            List.of("eventId", "sku", "delta", "reason", "expectedVersion");
    private static final List<String> FUNDS_DEPOSITED_FIELDS = List.of("eventId", "customerId", "amount", "currency");

    private static final ObjectMapper JSON = StrictJson.MAPPER;

    private final Deserializer<OrderEvent> orderEvents;
    private final Deserializer<StockAdjusted> stockAdjustments;
    private final Deserializer<FundsDeposited> deposits;

    public IngressReader(SchemaRegistry registry) {
        this.orderEvents = new AvroSerde<>(OrderEvent.class, registry).deserializer();
        this.stockAdjustments = new AvroSerde<>(StockAdjusted.class, registry).deserializer();
        this.deposits = new AvroSerde<>(FundsDeposited.class, registry).deserializer();
    }

    /** An {@code order.events} value: OrderPlaced or OrderCancelRequested. */
    public OrderEvent orderEvent(byte[] value) {
        return read(value, ORDER_EVENTS, orderEvents, IngressReader::orderEvent);
    }

    /** An {@code inventory.adjustments} value. */
    public StockAdjusted stockAdjusted(byte[] value) {
        return read(value, INVENTORY_ADJUSTMENTS, stockAdjustments, IngressReader::stockAdjusted);
    }

    /** A {@code payment.deposits} value. */
    public FundsDeposited fundsDeposited(byte[] value) {
        return read(value, PAYMENT_DEPOSITS, deposits, IngressReader::fundsDeposited);
    }

    private static <T> T read(byte[] value, String topic, Deserializer<T> wire, Function<JsonObject, T> fromJson) {
        if (value == null || value.length == 0) {
            throw new InvalidRecordException("empty record");
        }
        if (value[0] == WireFormat.MAGIC_BYTE) {
            try {
                return wire.deserialize(topic, value);
            } catch (UnknownSchemaIdException e) {
                throw new InvalidRecordException(e.getMessage(), e);
            } catch (SchemaRegistryException e) {
                throw e;
            } catch (SerializationException e) {
                throw new InvalidRecordException(e.getMessage(), e);
            }
        }
        int first = 0;
        while (first < value.length && isJsonWhitespace(value[first])) {
            first++;
        }
        if (first == value.length) {
            throw new InvalidRecordException("blank record (only whitespace)");
        }
        if (value[first] != '{') {
            throw new InvalidRecordException("record is neither a JSON object (first non-whitespace character '{') "
                    + "nor Avro in the Schema Registry wire format (first byte 0x00): first "
                    + (first == 0 ? "byte" : "non-whitespace byte") + " is " + WireFormat.describeByte(value[first]));
        }
        return fromJson.apply(new JsonObject(parseObject(value), ""));
    }

    private static JsonNode parseObject(byte[] value) {
        try (JsonParser parser = JSON.createParser(value)) {
            parser.nextToken();
            JsonNode root = JSON.readTree(parser);
            // Checked by hand rather than with FAIL_ON_TRAILING_TOKENS so the message can say
            // "trailing content" instead of a generic parse error about the next token.
            JsonLocation end = parser.currentLocation();
            JsonToken next;
            try {
                next = parser.nextToken();
            } catch (JsonProcessingException e) {
                // Unparseable text after the object is trailing content all the same; saying so
                // helps more than Jackson's complaint about the token it could not read.
                next = JsonToken.NOT_AVAILABLE;
            }
            if (next != null) {
                throw new InvalidRecordException("trailing content after the JSON object" + where(end)
                        + ": one record must hold exactly one JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("malformed JSON: " + e.getOriginalMessage() + where(e.getLocation()), e);
        } catch (IOException e) {
            throw new InvalidRecordException("cannot read JSON: " + e.getMessage(), e);
        }
    }

    private static String where(JsonLocation location) {
        return StrictJson.where(location);
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static OrderEvent orderEvent(JsonObject json) {
        String type = json.requiredString("type");
        List<String> allowed = switch (type) {
            case ORDER_PLACED -> ORDER_PLACED_FIELDS;
            case ORDER_CANCEL_REQUESTED -> ORDER_CANCEL_FIELDS;
            default -> throw new InvalidRecordException("unknown type '" + type + "' in field 'type': expected "
                    + ORDER_PLACED + " or " + ORDER_CANCEL_REQUESTED);
        };
        json.rejectUnknownFields(allowed, "for type " + type);
        String eventId = json.optionalString("eventId");
        String orderId = json.requiredString("orderId");
        Object payload = type.equals(ORDER_PLACED)
                ? new OrderPlaced(json.requiredString("customerId"), json.requiredString("currency"), lines(json),
                        json.optionalString("note"))
                : new OrderCancelRequested();
        return new OrderEvent(eventId, orderId, payload);
    }

    private static List<OrderLine> lines(JsonObject json) {
        JsonNode array = json.required("lines");
        if (!array.isArray()) {
            throw json.wrongType("lines", "an array of order lines", array);
        }
        List<OrderLine> lines = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String path = "lines[" + i + "]";
            JsonNode element = array.get(i);
            if (!element.isObject()) {
                throw new InvalidRecordException("field '" + path + "' must be an object with sku, quantity "
                        + "and unitPrice, got " + JsonObject.describe(element));
            }
            JsonObject line = new JsonObject(element, path);
            line.rejectUnknownFields(LINE_FIELDS, "in an order line");
            lines.add(new OrderLine(line.requiredString("sku"), line.requiredInt("quantity"),
                    line.requiredLong("unitPrice")));
        }
        return lines;
    }

    private static StockAdjusted stockAdjusted(JsonObject json) {
        json.rejectUnknownFields(STOCK_ADJUSTED_FIELDS, "in a stock adjustment");
        return new StockAdjusted(json.optionalString("eventId"), json.requiredString("sku"),
                json.requiredInt("delta"), json.requiredString("reason"), json.optionalLong("expectedVersion"));
    }

    private static FundsDeposited fundsDeposited(JsonObject json) {
        json.rejectUnknownFields(FUNDS_DEPOSITED_FIELDS, "in a deposit");
        return new FundsDeposited(json.optionalString("eventId"), json.requiredString("customerId"),
                json.requiredLong("amount"), json.requiredString("currency"));
    }

    /** A JSON object at a path in the record, with typed accessors whose errors name the field. */
    private record JsonObject(JsonNode node, String path) {

        String field(String name) {
            return StrictJson.field(path, name);
        }

        void rejectUnknownFields(List<String> allowed, String context) {
            String unknown = StrictJson.unknownField(node, allowed);
            if (unknown != null) {
                throw new InvalidRecordException("unknown field '" + field(unknown) + "' " + context
                        + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }

        JsonNode required(String name) {
            JsonNode value = node.get(name);
            if (value == null) {
                throw new InvalidRecordException("missing required field '" + field(name) + "'");
            }
            return value;
        }

        String requiredString(String name) {
            JsonNode value = required(name);
            if (!value.isTextual()) {
                throw wrongType(name, "a string", value);
            }
            return value.textValue();
        }

        String optionalString(String name) {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual()) {
                throw wrongType(name, "a string or null", value);
            }
            return value.textValue();
        }

        int requiredInt(String name) {
            JsonNode value = required(name);
            if (!value.isIntegralNumber()) {
                throw wrongType(name, "an integer", value);
            }
            if (!value.canConvertToInt()) {
                throw new InvalidRecordException("field '" + field(name) + "' must be an integer between "
                        + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE + ", got " + value);
            }
            return value.intValue();
        }

        long requiredLong(String name) {
            return toLong(name, required(name));
        }

        Long optionalLong(String name) {
            JsonNode value = node.get(name);
            return value == null || value.isNull() ? null : toLong(name, value);
        }

        private long toLong(String name, JsonNode value) {
            if (!value.isIntegralNumber()) {
                throw wrongType(name, "an integer", value);
            }
            if (!value.canConvertToLong()) {
                throw new InvalidRecordException("field '" + field(name) + "' must be an integer between "
                        + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ", got " + value);
            }
            return value.longValue();
        }

        InvalidRecordException wrongType(String name, String expected, JsonNode actual) {
            return new InvalidRecordException("field '" + field(name) + "' must be " + expected
                    + ", got " + describe(actual));
        }

        static String describe(JsonNode value) {
            return StrictJson.describe(value);
        }
    }
}
