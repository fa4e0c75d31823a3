package io.orderflow.devtools.embedded;

import java.util.concurrent.TimeUnit;

/** Milliseconds since a {@link System#nanoTime()} reading, for the start and stop lines of the embedded parts. */
final class Elapsed {
    private Elapsed() {
    }

    static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }
}
