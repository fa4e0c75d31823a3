package io.orderflow.server.query;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Keeps a hanging instance from taking this one down with it: every request to another instance passes a circuit
 * breaker and a bulkhead of that instance's own (Resilience4j). An instance that does not answer — refused, reset,
 * or silent until the request's timeout, as a paused process is — counts as a failure; any HTTP answer, a 503
 * included, counts as a success (the instance is alive and says what it knows).
 *
 * <ul>
 *   <li>Breaker: once half of the last {@value #WINDOW} requests (at least {@value #MINIMUM_CALLS}) failed, it opens
 *       and requests to that instance are refused at once for {@link #OPEN_FOR}; then up to
 *       {@value #HALF_OPEN_PROBES} requests probe it, and their outcome closes or reopens the breaker.</li>
 *   <li>Bulkhead: at most {@value #MAX_IN_FLIGHT} requests wait on one instance at a time; more are refused at
 *       once, so requests cannot pile up threads while the breaker still counts its first failures.</li>
 * </ul>
 *
 * A refused request never reaches the other instance; the caller answers 503 with {@code Retry-After}. Both are
 * exported per instance: {@code resilience4j_circuitbreaker_state{name="peer host:port",state=…}} and
 * {@code resilience4j_bulkhead_available_concurrent_calls{name=…}}, with their call counters.
 */
public final class PeerGuard {
    static final int WINDOW = 10;
    static final int MINIMUM_CALLS = 4;
    static final int HALF_OPEN_PROBES = 2;
    static final int MAX_IN_FLIGHT = 16;
    static final Duration OPEN_FOR = Duration.ofSeconds(5);

    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;

    /** @param meters where the breakers' and bulkheads' state goes, or null */
    public PeerGuard(MeterRegistry meters) {
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(50)
                .waitDurationInOpenState(OPEN_FOR)
                .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_PROBES)
                .recordExceptions(IOException.class)
                .build());
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(MAX_IN_FLIGHT)
                .maxWaitDuration(Duration.ZERO)
                .build());
        if (meters != null) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
            TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
        }
    }

    /** A request to another instance, to end with {@link #answered()} or {@link #failed} (or {@link #abandoned()}). */
    public interface Call {
        void answered();

        void failed(IOException e);

        /** Neither outcome is known (the caller was interrupted): gives the permission back, counting nothing. */
        void abandoned();
    }

    /** Permission to send a request to {@code host} now, or the reason it is refused. */
    public Result enter(HostInfo host) {
        String name = name(host);
        Bulkhead bulkhead = bulkheads.bulkhead(name);
        if (!bulkhead.tryAcquirePermission()) {
            return new Result(null, name + ": " + MAX_IN_FLIGHT + " requests are already waiting for it");
        }
        CircuitBreaker breaker = breakers.circuitBreaker(name);
        if (!breaker.tryAcquirePermission()) {
            bulkhead.onComplete();
            return new Result(null, name + ": circuit breaker " + breaker.getState().name().toLowerCase()
                    + " after it failed to answer " + failures(breaker) + ", retrying in at most "
                    + OPEN_FOR.toSeconds() + "s");
        }
        long start = breaker.getCurrentTimestamp();
        return new Result(new Call() {
            @Override
            public void answered() {
                breaker.onSuccess(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit());
                bulkhead.onComplete();
            }

            @Override
            public void failed(IOException e) {
                breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), e);
                bulkhead.onComplete();
            }

            @Override
            public void abandoned() {
                breaker.releasePermission();
                bulkhead.onComplete();
            }
        }, null);
    }

    /** Either a call to make or why not. */
    public record Result(Call call, String refused) {
        public Optional<Call> permitted() {
            return Optional.ofNullable(call);
        }
    }

    /** Seconds a caller should wait before retrying what {@code host}'s breaker refused. */
    public static long retryAfterSeconds() {
        return OPEN_FOR.toSeconds();
    }

    private static String failures(CircuitBreaker breaker) {
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        return metrics.getNumberOfFailedCalls() + " of its last " + metrics.getNumberOfBufferedCalls() + " requests";
    }

    private static String name(HostInfo host) {
        return "peer " + host.host() + ":" + host.port();
    }
}
