package io.orderflow.intake.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.intake.PlaceOrderRequest;
import io.orderflow.intake.ValidationException;
import io.orderflow.serde.StrictJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the body of {@code POST /orders} strictly: one JSON object with exactly the fields
 * {@code customerId, currency, lines[{sku, quantity, unitPrice}]} and optionally {@code note} (a string or null); integers where the contract has them (a
 * fractional or quoted number is refused, never rounded); no unknown or repeated fields. Each problem is a
 * {@link ValidationException} naming the field. Content rules (id format, quantity &gt; 0, ...) are the service's.
 */
final class OrderRequestJson {
    private static final List<String> ORDER_FIELDS = List.of("customerId", "currency", "lines", "note");
    private static final List<String> LINE_FIELDS = List.of("sku", "quantity", "unitPrice");
    private static final ObjectMapper JSON = StrictJson.MAPPER;

    private OrderRequestJson() {
    }

    static PlaceOrderRequest parse(byte[] body) {
        JsonNode root = parseObject(body);
        rejectUnknownFields(root, "", ORDER_FIELDS);
        String customerId = requiredString(root, "", "customerId");
        String currency = requiredString(root, "", "currency");
        JsonNode array = required(root, "", "lines");
        if (!array.isArray()) {
            throw wrongType("lines", "an array of order lines", array);
        }
        List<PlaceOrderRequest.Line> lines = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String path = "lines[" + i + "]";
            JsonNode line = array.get(i);
            if (!line.isObject()) {
                throw wrongType(path, "an object with sku, quantity and unitPrice", line);
            }
            rejectUnknownFields(line, path, LINE_FIELDS);
            lines.add(new PlaceOrderRequest.Line(
                    requiredString(line, path, "sku"),
                    (int) integer(line, path, "quantity", Integer.MIN_VALUE, Integer.MAX_VALUE),
                    integer(line, path, "unitPrice", Long.MIN_VALUE, Long.MAX_VALUE)));
        }
        return new PlaceOrderRequest(customerId, currency, lines, optionalString(root, "note"));
    }

    private static JsonNode parseObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ValidationException("request body is empty: expected a JSON object with customerId, currency "
                    + "and lines");
        }
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new ValidationException("request body is blank: expected a JSON object with customerId, "
                        + "currency and lines");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ValidationException("request body must be a JSON object, got " + describe(first));
            }
            JsonNode root = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new ValidationException("trailing content after the JSON object at line "
                        + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr());
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ValidationException("malformed JSON: " + e.getOriginalMessage()
                    + StrictJson.where(e.getLocation()));
        } catch (IOException e) {
            throw new ValidationException("cannot read the request body: " + e.getMessage());
        }
    }

    private static void rejectUnknownFields(JsonNode object, String path, List<String> allowed) {
        String unknown = StrictJson.unknownField(object, allowed);
        if (unknown != null) {
            throw new ValidationException("unknown field '" + field(path, unknown) + "' (allowed: "
                    + String.join(", ", allowed) + ")");
        }
    }

    private static JsonNode required(JsonNode object, String path, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            throw new ValidationException("missing required field '" + field(path, name) + "'");
        }
        return value;
    }

    private static String requiredString(JsonNode object, String path, String name) {
        JsonNode value = required(object, path, name);
        if (!value.isTextual()) {
            throw wrongType(field(path, name), "a string", value);
        }
        return value.textValue();
    }

    private static String optionalString(JsonNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(name, "a string or null", value);
        }
        return value.textValue();
    }

    private static long integer(JsonNode object, String path, String name, long min, long max) {
        JsonNode value = required(object, path, name);
        String field = field(path, name);
        if (!value.isIntegralNumber()) {
            throw wrongType(field, "an integer" + (value.isNumber() ? " (no fraction or exponent)" : ""), value);
        }
        if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new ValidationException("field '" + field + "' must be an integer between " + min + " and " + max
                    + ", got " + value);
        }
        return value.longValue();
    }

    private static ValidationException wrongType(String field, String expected, JsonNode actual) {
        return new ValidationException("field '" + field + "' must be " + expected + ", got " + describe(actual));
    }

    private static String field(String path, String name) {
        return StrictJson.field(path, name);
    }

    private static String describe(JsonToken token) {
        switch (token) {
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.asString() == null ? token.name() : token.asString();
        }
    }

    private static String describe(JsonNode value) {
        return StrictJson.describe(value);
    }
}
