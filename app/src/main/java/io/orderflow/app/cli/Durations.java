package io.orderflow.app.cli;

import io.orderflow.topology.OrderflowConfig;

import java.time.Duration;

final class Durations {
    private Durations() {
    }

    /** Parses a flag's duration, or fails with a message naming the flag. */
    static Duration parse(String flag, String text) {
        try {
            Duration d = OrderflowConfig.parseDuration(text);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be > 0");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " must be a duration such as 30s, 5m or 500ms, was '"
                    + text + "'");
        }
    }
}
