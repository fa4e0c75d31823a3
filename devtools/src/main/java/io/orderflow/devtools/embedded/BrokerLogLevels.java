package io.orderflow.devtools.embedded;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns the embedded broker's own loggers down to WARN.
 *
 * <p>A broker logs hundreds of INFO lines at start-up that drown the application's output. Only
 * broker-side logger names are touched — Kafka clients and Kafka Streams keep their levels — and
 * only when nobody configured them, so a logback.xml that sets them always wins.
 */
final class BrokerLogLevels {

    /** Logger name roots of the broker, controller and their coordinators (not clients, not Streams). */
    static final List<String> BROKER_LOGGERS = List.of(
        "kafka",
        "state.change.logger",
        "org.apache.kafka.server",
        "org.apache.kafka.controller",
        "org.apache.kafka.raft",
        "org.apache.kafka.metadata",
        "org.apache.kafka.image",
        "org.apache.kafka.storage",
        "org.apache.kafka.coordinator",
        "org.apache.kafka.network",
        "org.apache.kafka.snapshot",
        "org.apache.kafka.queue",
        "org.apache.kafka.timeline",
        "org.apache.kafka.security",
        "org.apache.kafka.deferred");

    private BrokerLogLevels() {
    }

    static void quietUnlessConfigured() {
        for (String name : BROKER_LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger
                && logger.getLevel() == null) {
                logger.setLevel(Level.WARN);
            }
        }
    }
}
