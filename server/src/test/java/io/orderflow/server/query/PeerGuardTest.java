package io.orderflow.server.query;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker and bulkhead in front of each other instance (the real Resilience4j, no instance behind it). */
class PeerGuardTest {
    private static final HostInfo HUNG = new HostInfo("10.0.0.7", 7070);
    private static final HostInfo HEALTHY = new HostInfo("10.0.0.8", 7070);

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PeerGuard guard = new PeerGuard(meters);

    @Test
    void shouldRefuseAnInstanceAtOnceWhenHalfItsLastRequestsGotNoAnswer() {
        // Given an instance that did not answer the minimum number of requests
        for (int i = 0; i < PeerGuard.MINIMUM_CALLS; i++) {
            guard.enter(HUNG).call().failed(new HttpTimeoutException("request timed out"));
        }

        // When it is asked again
        PeerGuard.Result result = guard.enter(HUNG);

        // Then it is refused, saying why and for how long; another instance is still asked
        assertThat(result.permitted()).isEmpty();
        assertThat(result.refused()).isEqualTo("peer 10.0.0.7:7070: circuit breaker open after it failed to answer "
                + "4 of its last 4 requests, retrying in at most 5s");
        assertThat(guard.enter(HEALTHY).permitted()).isPresent();
        assertThat(meters.scrape()).contains("resilience4j_circuitbreaker_state{name=\"peer 10.0.0.7:7070\","
                + "state=\"open\"} 1.0");
    }

    @Test
    void shouldCountAnyHttpAnswerAsAliveWhenAnInstanceAnswersErrors() {
        // Given an instance that answers every request, if only with 503s (rebalancing)
        for (int i = 0; i < PeerGuard.WINDOW * 2; i++) {
            guard.enter(HEALTHY).call().answered();
        }

        // Then its breaker stays closed
        assertThat(guard.enter(HEALTHY).permitted()).isPresent();
        assertThat(meters.scrape()).contains("resilience4j_circuitbreaker_state{name=\"peer 10.0.0.8:7070\","
                + "state=\"closed\"} 1.0");
    }

    @Test
    void shouldRefuseMoreThanTheBulkheadWhenRequestsPileUpOnOneInstance() {
        // Given as many requests waiting on one instance as its bulkhead allows
        List<PeerGuard.Call> waiting = new ArrayList<>();
        for (int i = 0; i < PeerGuard.MAX_IN_FLIGHT; i++) {
            waiting.add(guard.enter(HUNG).call());
        }

        // When one more comes
        PeerGuard.Result refused = guard.enter(HUNG);

        // Then it is refused; once they end, permissions come back (an abandoned call gives its permission back)
        assertThat(refused.refused()).isEqualTo("peer 10.0.0.7:7070: 16 requests are already waiting for it");
        assertThat(meters.scrape()).contains("resilience4j_bulkhead_available_concurrent_calls{name=\"peer "
                + "10.0.0.7:7070\"} 0.0");
        waiting.get(0).abandoned();
        waiting.subList(1, waiting.size()).forEach(call -> call.failed(new IOException("connection reset")));
        assertThat(meters.scrape()).contains("resilience4j_bulkhead_available_concurrent_calls{name=\"peer "
                + "10.0.0.7:7070\"} 16.0");
    }
}
