package io.orderflow.intake;

/**
 * The intake's answer to an accepted request: the order it concerns and what was accepted ({@link #PLACED} or
 * {@link #CANCEL_REQUESTED}). {@code replayed} is true when the answer is the stored first answer to an earlier
 * request with the same Idempotency-Key, and nothing was written this time.
 */
public record OrderAccepted(String orderId, String status, boolean replayed) {
    public static final String PLACED = "PLACED";
    public static final String CANCEL_REQUESTED = "CANCEL_REQUESTED";
}
