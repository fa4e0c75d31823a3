package io.orderflow.server.cli;

import io.orderflow.topology.OrderflowConfig;

import java.time.Duration;

/** Duration flags of the command line: parsed with Orderflow's duration syntax, errors naming the flag. */
public final class Durations {
    private Durations() {
    }

    /** Parses a flag's duration (> 0), or fails with a message naming the flag. */
    public static Duration parse(String flag, String text) {
        return parse(flag, text, false);
    }

    /** Parses a flag's duration (>= 0), or fails with a message naming the flag. */
    public static Duration parseAllowingZero(String flag, String text) {
        return parse(flag, text, true);
    }

    private static Duration parse(String flag, String text, boolean zeroAllowed) {
        try {
            Duration d = OrderflowConfig.parseDuration(text);
            if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " must be a duration such as " + (zeroAllowed ? "0s, " : "")
                    + "30s, 5m or 500ms, was '" + text + "'");
        }
    }
}
