package io.orderflow.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TaskRecoveryFilterTest {
    private static final String CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [%s] are "
            + "corrupted and hence need to be re-initialized";
    private static final String THREAD = "stream-thread [orderflow-d5df4214-StreamThread-1] ";

    @Test
    void shouldReplaceTheErrorWhenEveryTaskIsOnlyCorrupted() {
        // Given Kafka Streams' message as logged when active tasks become standbys under exactly-once
        String message = THREAD + "Get exceptions for the following tasks: {0_3=" + CORRUPTED.formatted("0_3")
                + ", 1_1=" + CORRUPTED.formatted("1_1") + "}";

        // When / Then
        assertThat(new TaskRecoveryFilter().decide(event(Level.ERROR, TaskRecoveryFilter.LOGGER, message)))
                .isEqualTo(FilterReply.DENY);
        assertThat(TaskRecoveryFilter.onlyCorruptedTasks(message.substring(message.indexOf('{') + 1)))
                .isEqualTo("[0_3, 1_1]");
    }

    @Test
    void shouldKeepTheErrorWhenAnyOtherExceptionIsListed() {
        // Given one task that failed for real beside a corrupted one
        String message = THREAD + "Get exceptions for the following tasks: {0_3=" + CORRUPTED.formatted("0_3")
                + ", 2_0=org.apache.kafka.streams.errors.StreamsException: failed to flush state store order-saga}";

        // Then
        assertThat(new TaskRecoveryFilter().decide(event(Level.ERROR, TaskRecoveryFilter.LOGGER, message)))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldLeaveOtherLogLinesAloneWhenTheyAreNotThatMessage() {
        String corrupted = "Get exceptions for the following tasks: {0_3=" + CORRUPTED.formatted("0_3") + "}";
        assertThat(new TaskRecoveryFilter().decide(event(Level.ERROR, TaskRecoveryFilter.LOGGER,
                "Failed to process stream task 0_3"))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(new TaskRecoveryFilter().decide(event(Level.ERROR, "io.orderflow.Other", corrupted)))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(new TaskRecoveryFilter().decide(event(Level.WARN, TaskRecoveryFilter.LOGGER, corrupted)))
                .isEqualTo(FilterReply.NEUTRAL);
    }

    private static LoggingEvent event(Level level, String logger, String message) {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent(logger, context.getLogger(logger), level, message, null, null);
        event.setLoggerName(logger);
        return event;
    }
}
