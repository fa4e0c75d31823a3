package io.orderflow.devtools.chaos;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.EventLog;
import io.orderflow.invariants.InvariantChecker;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChaosReportTest {
    private static final ChaosRunner.Options OPTIONS = new ChaosRunner.Options(3, 10, 2, 1L, 100,
            StreamsConfig.EXACTLY_ONCE_V2, 6, Duration.ofSeconds(10), true);
    private static final List<ChaosReport.Fault> KILLS = List.of(
            new ChaosReport.Fault(FaultKind.INSTANCE_KILL, "instance 0", 1.0, 2.0, "state kept", 0.5, 9.0, 12.0),
            new ChaosReport.Fault(FaultKind.INSTANCE_KILL, "instance 1", 2.0, 3.0, ChaosReport.WIPED, 1.5, 19.0,
                    Double.NaN));

    private static ChaosReport report(Map<String, Long> sent, boolean atRest, int threadReplacements) {
        EventLog log = new EventLog();
        return new ChaosReport(OPTIONS, KILLS, sent, Map.of(), atRest, threadReplacements, List.of(), log,
                InvariantChecker.check(log), 12.0);
    }

    @Test
    void shouldBeOkWhenInvariantsHoldAndEverySentRecordIsOnItsTopic() {
        // Given nothing sent, nothing read, every invariant holding
        ChaosReport report = report(Map.of(), true, 0);

        // Then the run passes, and the JSON line says so first
        assertThat(report.ok()).isTrue();
        assertThat(report.toJson()).startsWith("{\"ok\":true,\"kills\":2,\"orders\":0,")
                .contains("\"restarts_wiped\":1");
    }

    @Test
    void shouldFailWhenAnAcknowledgedRecordIsMissingFromItsTopic() {
        // Given a record Kafka acknowledged that was never read back
        ChaosReport report = report(Map.of("order.events", 1L), true, 0);

        // Then the run fails, and the report points at the topic
        assertThat(report.ok()).isFalse();
        assertThat(report.toString()).contains("sent != in");
        assertThat(report.toJson()).startsWith("{\"ok\":false");
    }

    @Test
    void shouldCountAndFlagOrdersCancelledForTimeout() {
        // Given an order whose saga ended CANCELLED(TIMEOUT)
        EventLog log = new EventLog();
        log.addStatus(new Coordinates("order.status", 0, 0), "o1", new OrderStatusChanged("o1:v4", "o1", "c1",
                OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.TIMEOUT, 4, 100L, "EUR", List.of(),
                1L, 2L, null));
        ChaosReport report = new ChaosReport(OPTIONS, KILLS, Map.of(), Map.of(), true, 0, List.of(), log,
                InvariantChecker.check(log), 12.0);

        // Then the report counts it, says so, and the run does not pass
        assertThat(report.timedOut()).isEqualTo(1);
        assertThat(report.toString()).contains("timed out:      1 orders cancelled for TIMEOUT");
        assertThat(report.toJson()).contains("\"timed_out\":1");
        assertThat(report.ok()).isFalse();
        assertThat(report(Map.of(), true, 0).toJson()).contains("\"timed_out\":0");
    }

    @Test
    void shouldFailWhenAStreamThreadDiedOrTheClusterNeverCameToRest() {
        // Given every invariant holding, When a thread died or the load never drained, Then the run fails
        assertThat(report(Map.of(), true, 1).ok()).isFalse();
        assertThat(report(Map.of(), false, 0).ok()).isFalse();
        assertThat(report(Map.of(), false, 0).toString()).contains("at rest:        no");
    }

    @Test
    void shouldSummariseRecoveryPerFaultKindLeavingOutWhatWasNotMeasured() {
        // Given two instance kills, one without a measured saga_pending recovery
        ChaosReport report = report(Map.of(), true, 0);

        // Then the per-kind line gives p50 / max of what was measured, and the JSON the same
        assertThat(report.toString()).containsPattern("instance kill\\s+2\\s+0.5 / 1.5\\s+9.0 / 19.0\\s+12.0 / 12.0");
        assertThat(report.toJson()).contains("\"faults\":{\"instance_kill\":{\"count\":2,\"stall_p50_s\":0.5,"
                + "\"stall_max_s\":1.5,\"ready_p50_s\":9.0,\"ready_max_s\":19.0,\"pending_back_p50_s\":12.0,"
                + "\"pending_back_max_s\":12.0}}");
    }

    @Test
    void shouldFailWhenACheckAtRestFails() {
        // Given every invariant holding but a check at rest that found a lost order
        EventLog log = new EventLog();
        ChaosReport report = new ChaosReport(OPTIONS, KILLS, Map.of(), Map.of(), true, 0,
                List.of(new ChaosReport.Check("intake", false, "1 never on order.events: o-1")), log,
                InvariantChecker.check(log), 12.0);

        // Then the run fails and the report names the check and what it found
        assertThat(report.ok()).isFalse();
        assertThat(report.toString()).contains("intake:         FAIL 1 never on order.events: o-1");
        assertThat(report.toJson()).contains("\"checks\":{\"intake\":false}");
    }
}
