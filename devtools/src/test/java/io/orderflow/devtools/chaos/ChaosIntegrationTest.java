package io.orderflow.devtools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.invariants.Invariant;
import io.orderflow.invariants.InvariantResult;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga chaos} at CI size: a real broker, three {@code saga run} JVMs, 2,000 orders of a seeded hostile
 * workload, two SIGKILLs (one restart on its state directory, one wiped), then the verifier over the topics.
 */
class ChaosIntegrationTest {
    private static final long SEED = 20261122L;

    @Test
    void shouldHoldEveryInvariantWhenInstancesAreKilledDuringHostileLoad() throws Exception {
        // Given a seeded run of three instances, 2,000 orders and two kills
        ChaosRunner.Options options = new ChaosRunner.Options(3, 2_000, 2, SEED, 400, StreamsConfig.EXACTLY_ONCE_V2,
                6, Duration.ofMinutes(5), true);

        // When it runs
        ChaosRun run = ChaosRun.of(options);
        ChaosReport report = run.report();
        String printed = run.printed();
        String context = run.context();

        // Then every invariant holds, and each was checked against something
        assertThat(report.ok()).as(context).isTrue();
        for (InvariantResult result : report.invariants().results().values()) {
            assertThat(result.status()).as(result.invariant() + "\n" + context).isEqualTo(InvariantResult.Status.OK);
            assertThat(result.checked()).as(result.invariant() + " checked").isPositive();
        }
        assertThat(report.invariants().result(Invariant.DEAD_LETTERED).checked()).isGreaterThan(3_000);
        // And both kills happened, one restart keeping its state and one wiped
        assertThat(report.faults(FaultKind.INSTANCE_KILL)).hasSize(2);
        assertThat(report.faults(FaultKind.INSTANCE_KILL)).extracting(ChaosReport.Fault::detail)
                .containsExactlyInAnyOrder(ChaosReport.WIPED, "state kept");
        // And each kill's recovery was measured: the victim came back and the backlog drained
        assertThat(report.faults(FaultKind.INSTANCE_KILL)).allSatisfy(kill -> {
            assertThat(kill.readyAfter()).as("ready again").isPositive();
            assertThat(kill.pendingBackAfter()).as("pending back").isPositive();
        });
        // And the workload's hostile records were dead-lettered while its orders completed
        assertThat(report.invariants().orders()).isEqualTo(2_000);
        assertThat(report.outcomes()).containsKey("CONFIRMED").containsKey("CANCELLED(INVALID_ORDER)");
        assertThat(report.deadLettersByReason()).containsKeys("UNREADABLE", "INVALID", "VERSION_CONFLICT",
                "TOO_LARGE");
        assertThat(report.ingress().values()).allSatisfy(topic -> {
            assertThat(topic.in()).isEqualTo(topic.sent()).isPositive();
            assertThat(topic.deadLettered()).isPositive().isLessThan(topic.in());
        });
        assertThat(report.threadReplacements()).isZero();
        // And the report ends with the one JSON line the CLI promises
        String last = printed.strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode json = new ObjectMapper().readTree(last);
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("kills").asInt()).isEqualTo(2);
        assertThat(json.get("orders").asInt()).isEqualTo(2_000);
        assertThat(json.get("invariants").get("NO_OPEN_TRANSACTIONS").asText()).isEqualTo("OK");
    }
}
