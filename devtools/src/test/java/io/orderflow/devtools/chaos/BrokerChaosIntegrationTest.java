package io.orderflow.devtools.chaos;

import io.orderflow.invariants.InvariantResult;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga chaos --brokers 3 --broker-kills 1} at CI size: a three-node KRaft cluster (each node its own JVM,
 * replication 3, min.insync.replicas 2), two {@code saga run} JVMs, a seeded hostile workload, one instance SIGKILL
 * and one broker SIGKILL (started again on its data), then the verifier: every invariant holds and no order was
 * cancelled for TIMEOUT while Orderflow itself was behind.
 */
class BrokerChaosIntegrationTest {
    private static final long SEED = 20261205L;

    @Test
    void shouldHoldEveryInvariantAndTimeOutNoOrderWhenABrokerIsKilledDuringHostileLoad() throws Exception {
        // Given a seeded run of three brokers, two instances, 1,500 orders, an instance kill, a broker kill and an
        // instance frozen past its session and transaction timeouts
        ChaosRunner.Options options = new ChaosRunner.Options(2, 1_500, SEED, 300, StreamsConfig.EXACTLY_ONCE_V2,
                6, Duration.ofMinutes(5), true, 3, ChaosRunner.Via.TOPICS, Map.of(FaultKind.INSTANCE_KILL, 1,
                FaultKind.BROKER_KILL, 1, FaultKind.INSTANCE_PAUSE, 1));

        // When it runs
        ChaosRun run = ChaosRun.of(options);
        ChaosReport report = run.report();
        String context = run.context();

        // Then every invariant holds, the broker was killed and came back, and no order timed out
        assertThat(report.ok()).as(context).isTrue();
        for (InvariantResult result : report.invariants().results().values()) {
            assertThat(result.status()).as(result.invariant() + "\n" + context).isEqualTo(InvariantResult.Status.OK);
        }
        assertThat(report.faults(FaultKind.BROKER_KILL)).as(context).hasSize(1);
        assertThat(report.faults(FaultKind.BROKER_KILL).get(0).detail()).as("the first victim")
                .isEqualTo("transaction coordinator");
        assertThat(report.faults(FaultKind.INSTANCE_KILL)).hasSize(1);
        assertThat(report.faults(FaultKind.INSTANCE_PAUSE)).as(context).hasSize(1);
        assertThat(report.outcomes()).as(context).doesNotContainKey("CANCELLED(TIMEOUT)");
        assertThat(report.invariants().orders()).isEqualTo(1_500);
        assertThat(run.printed()).contains("brokers:        3, each its own JVM");
        assertThat(report.brokerKillStallMax()).as("a broker kill's stall, s").isLessThanOrEqualTo(10.0);
    }
}
