package io.orderflow.domain;

/**
 * Why an input was refused without effect. {@code code} is stable and machine-readable (it goes into the
 * dead-letter headers); {@code message} is for people.
 */
public record Rejection(String code, String message) {
    public static final String VERSION_CONFLICT = "VERSION_CONFLICT";
    public static final String INVALID = "INVALID";
    public static final String CURRENCY_MISMATCH = "CURRENCY_MISMATCH";
    public static final String BELOW_RESERVED = "BELOW_RESERVED";
    public static final String ILLEGAL_COMMAND = "ILLEGAL_COMMAND";
    public static final String UNKNOWN_ORDER = "UNKNOWN_ORDER";
    /** An OrderPlaced older than {@code saga.retention}: its saga may have ended and been purged already. */
    public static final String EXPIRED = "EXPIRED";
    public static final String UNREADABLE = "UNREADABLE";
    /** An ingress record larger than any valid event; refused before it is read. */
    public static final String TOO_LARGE = "TOO_LARGE";
}
