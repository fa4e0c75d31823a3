package io.orderflow.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that stands still until a test moves it; safe to read from other threads (a server's). */
public final class MovingClock extends Clock {
    private volatile long millis;

    public MovingClock(long epochMillis) {
        this.millis = epochMillis;
    }

    /** Sets the time to {@code epochMillis}. */
    public void set(long epochMillis) {
        this.millis = epochMillis;
    }

    public void advance(Duration duration) {
        this.millis += duration.toMillis();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
