package io.orderflow.server.runtime;

import io.orderflow.server.MovingClock;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The round logic against offsets given by the test; {@code ReplyPathIntegrationTest} runs it on a broker. */
class ReplyPathMonitorTest {
    private static final TopicPartition PAY_CMD = new TopicPartition("payment.commands", 0);
    private static final TopicPartition INV_CMD = new TopicPartition("inventory.commands", 0);
    private static final TopicPartition PAY_REPLY = new TopicPartition("payment.replies", 0);
    private static final TopicPartition INV_REPLY = new TopicPartition("inventory.replies", 0);

    private final FakeOffsets offsets = new FakeOffsets();
    private final MovingClock clock = new MovingClock(1_000);
    private final ReplyPathMonitor monitor = new ReplyPathMonitor(offsets, clock, Duration.ZERO);

    @Test
    void shouldKnowNothingBeforeTheFirstRoundEnds() throws Exception {
        // Given commands the services have not consumed yet
        offsets.end(PAY_CMD, 10);
        offsets.commit(PAY_CMD, 4);

        // When looked at
        monitor.step();

        // Then no deadline may fire yet
        assertThat(monitor.answeredThrough()).isEqualTo(Long.MIN_VALUE);
        assertThat(monitor.lag().isNegative()).isTrue();
    }

    @Test
    void shouldBeCaughtUpThroughTheRoundStartOnceCommandsAndThenRepliesAreConsumed() throws Exception {
        // Given a round started at t=1000 with commands outstanding
        offsets.end(PAY_CMD, 10);
        offsets.end(INV_CMD, 5);
        offsets.commit(PAY_CMD, 4);
        offsets.commit(INV_CMD, 5);
        monitor.step();

        // When the services consume the commands (at t=2000), producing replies the saga has not read yet
        clock.set(2_000);
        offsets.commit(PAY_CMD, 10);
        offsets.end(PAY_REPLY, 3);
        monitor.step();

        // Then the path is not caught up until the saga reads the replies too
        assertThat(monitor.answeredThrough()).isEqualTo(Long.MIN_VALUE);
        clock.set(3_000);
        offsets.commit(PAY_REPLY, 3);
        monitor.step();
        assertThat(monitor.answeredThrough()).isEqualTo(1_000);
        assertThat(monitor.lag().toMillis()).isEqualTo(2_000);

        // And the next round starts at the next look, from where the topics are then
        clock.set(4_000);
        monitor.step();
        assertThat(monitor.answeredThrough()).isEqualTo(4_000);
    }

    @Test
    void shouldReportProgressEarlierBySettleWhenTheSagaTimeoutIsShorterThanACommitCanTake() throws Exception {
        // Given a monitor that must allow for a saga transaction committing 15 s late
        ReplyPathMonitor settling = new ReplyPathMonitor(offsets, clock, Duration.ofSeconds(15));

        // When a round ends
        settling.step();

        // Then it vouches only for what was sent 15 s before the round started
        assertThat(settling.answeredThrough()).isEqualTo(1_000 - 15_000);
    }

    @Test
    void shouldHoldProgressWhileTheServicesAreBehind() throws Exception {
        // Given a completed round
        monitor.step();
        assertThat(monitor.answeredThrough()).isEqualTo(1_000);

        // When commands pile up unconsumed for a minute
        offsets.end(PAY_CMD, 500);
        for (long t = 2_000; t <= 60_000; t += 1_000) {
            clock.set(t);
            monitor.step();
        }

        // Then progress stays where the path was last caught up
        assertThat(monitor.answeredThrough()).isEqualTo(2_000 - 1_000);
        assertThat(monitor.lag().toSeconds()).isEqualTo(59);
    }

    @Test
    void shouldReadAGapOfTransactionMarkersOnceAndCountItAsConsumed() throws Exception {
        // Given a committed offset one short of the end: a commit marker
        offsets.end(PAY_CMD, 11);
        offsets.commit(PAY_CMD, 10);
        offsets.markersOnly.add(PAY_CMD);

        // When looked at twice with nothing moving
        monitor.step();
        monitor.step();

        // Then the gap was read once and counted as consumed
        assertThat(monitor.answeredThrough()).isEqualTo(1_000);
        assertThat(offsets.gapReads).containsExactly(PAY_CMD);
    }

    @Test
    void shouldNotCountAGapHoldingRecordsAsConsumed() throws Exception {
        // Given a gap with records in it
        offsets.end(PAY_CMD, 11);
        offsets.commit(PAY_CMD, 10);

        // When looked at
        monitor.step();

        // Then the path is not caught up
        assertThat(monitor.answeredThrough()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldStallWithoutFailingWhenTheClusterDoesNotAnswer() {
        // Given a cluster that does not answer
        offsets.down = true;

        // When looked at (as the scheduler does)
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(monitor::step);

        // Then nothing advances; the scheduler's quiet step logs and goes on
        assertThat(failure).hasMessageContaining("no broker");
        assertThat(monitor.answeredThrough()).isEqualTo(Long.MIN_VALUE);
    }

    private static final class FakeOffsets implements ReplyPathMonitor.Offsets {
        final Map<TopicPartition, Long> ends = new HashMap<>();
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final Set<TopicPartition> markersOnly = new java.util.HashSet<>();
        final List<TopicPartition> gapReads = new ArrayList<>();
        boolean down;

        void end(TopicPartition partition, long offset) {
            ends.put(partition, offset);
        }

        void commit(TopicPartition partition, long offset) {
            committed.put(partition, offset);
        }

        @Override
        public Map<TopicPartition, Long> ends(List<String> topics) {
            check();
            Map<TopicPartition, Long> result = new HashMap<>();
            ends.forEach((partition, end) -> {
                if (topics.contains(partition.topic())) {
                    result.put(partition, end);
                }
            });
            return result;
        }

        @Override
        public Map<TopicPartition, Long> committed() {
            check();
            return new HashMap<>(committed);
        }

        @Override
        public boolean noRecordsBetween(TopicPartition partition, long from, long to) {
            gapReads.add(partition);
            return markersOnly.contains(partition);
        }

        private void check() {
            if (down) {
                throw new IllegalStateException("no broker answered");
            }
        }

        @Override
        public void close() {
        }
    }
}
