package io.orderflow.intake;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A circuit breaker (Resilience4j) in front of the order database: once half of the last {@value #WINDOW} writes
 * (at least {@value #MINIMUM_CALLS}) found PostgreSQL unavailable — refused, dropped, or silent past
 * {@code intake.request.timeout} — requests are answered "unavailable" at once for {@link #OPEN_FOR}, without
 * queueing for a writer; then {@value #HALF_OPEN_PROBES} requests probe it. Any answer from PostgreSQL, an error
 * included, counts as alive. Exported as {@code resilience4j_circuitbreaker_state{name="database",state=…}}.
 */
final class DatabaseGuard {
    static final int WINDOW = 20;
    static final int MINIMUM_CALLS = 5;
    static final int HALF_OPEN_PROBES = 2;
    static final Duration OPEN_FOR = Duration.ofSeconds(5);

    private final CircuitBreaker breaker;

    DatabaseGuard(MeterRegistry meters) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(50)
                .waitDurationInOpenState(OPEN_FOR)
                .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_PROBES)
                .recordExceptions(DatabaseUnavailableException.class)
                .build());
        this.breaker = registry.circuitBreaker("database");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    /** Runs {@code write} unless the breaker is open; then refuses at once, saying why and for how long. */
    <T> T call(Supplier<T> write) {
        try {
            return breaker.executeSupplier(write);
        } catch (CallNotPermittedException e) {
            CircuitBreaker.Metrics metrics = breaker.getMetrics();
            throw new DatabaseUnavailableException("circuit breaker open: the order database was unavailable for "
                    + metrics.getNumberOfFailedCalls() + " of the last " + metrics.getNumberOfBufferedCalls()
                    + " writes; not asking it for up to " + OPEN_FOR.toSeconds() + "s", e);
        }
    }
}
