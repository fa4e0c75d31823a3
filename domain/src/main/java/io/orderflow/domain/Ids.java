package io.orderflow.domain;

import java.util.regex.Pattern;

/** The one rule for identifiers (orderId, customerId, sku, eventId): 1–64 characters of {@code [A-Za-z0-9._:-]}. */
public final class Ids {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Why {@code id} is not valid, or {@code null} when it is; names the field so a user can fix the input. */
    public static String problem(String field, String id) {
        if (id == null) {
            return field + " is missing";
        }
        if (isValid(id)) {
            return null;
        }
        return field + " '" + Text.abbreviate(id, 80) + "' must be 1-64 characters of [A-Za-z0-9._:-]";
    }
}
