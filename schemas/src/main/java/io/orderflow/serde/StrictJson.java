package io.orderflow.serde;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.Iterator;
import java.util.List;

/**
 * What Orderflow's two strict JSON readers share — the ingress topics' ({@link IngressReader}) and the intake's
 * {@code POST /orders} body — so that both refuse the same things and describe them alike: a Jackson mapper that
 * refuses a repeated field, field paths ({@code lines[0].sku}), unknown fields, and short descriptions of values
 * and positions for messages. Each reader keeps its own exception type and wording.
 */
public final class StrictJson {
    /** Refuses a repeated field: it would otherwise silently keep its last value, hiding a producer bug. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private StrictJson() {
    }

    /** {@code name} inside {@code path} ({@code ""} at the top). */
    public static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The first field of {@code object} that is not in {@code allowed}, or null when there is none. */
    public static String unknownField(JsonNode object, List<String> allowed) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                return name;
            }
        }
        return null;
    }

    /** A value as a message shows it: its kind for objects and arrays, else its JSON text cut to 40 characters. */
    public static String describe(JsonNode value) {
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        String text = value.toString();
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** {@code " at line L, column C"}, or nothing when the position is unknown. */
    public static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
