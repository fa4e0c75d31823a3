package io.orderflow.topology.saga;

/**
 * Keys of the {@code saga-deadlines} store: the deadline zero-padded to 13 digits, '|', the orderId. Byte order is
 * deadline order ('|' sorts after the digits, '~' after every id character), so "everything due by now" is one
 * range scan and the metrics can read the oldest pending order from the first key.
 */
public final class DeadlineIndex {
    private static final int DIGITS = 13;

    private DeadlineIndex() {
    }

    public static String key(long deadline, String orderId) {
        if (deadline < 0) {
            throw new IllegalArgumentException("deadline must be >= 0, was " + deadline);
        }
        // Two keys per saga: String.format was a visible share of the stream thread in the profile.
        String digits = Long.toString(deadline);
        StringBuilder key = new StringBuilder(DIGITS + 1 + orderId.length());
        for (int i = digits.length(); i < DIGITS; i++) {
            key.append('0');
        }
        return key.append(digits).append('|').append(orderId).toString();
    }

    /** The upper bound of a range scan over every entry due at or before {@code now}. */
    public static String dueBy(long now) {
        return key(now, "~");
    }

    public static long deadlineOf(String key) {
        return Long.parseLong(key.substring(0, DIGITS));
    }
}
