package io.orderflow.verify;

import java.time.Duration;
import java.util.Locale;

/** How durations read in verify's messages. */
final class Format {
    private Format() {
    }

    /** {@code 60s}, {@code 1.5s} or {@code 500ms}. */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        return millis % 1_000 == 0 ? millis / 1_000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1_000.0);
    }
}
