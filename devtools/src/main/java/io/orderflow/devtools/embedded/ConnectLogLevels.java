package io.orderflow.devtools.embedded;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns the embedded Connect worker's, Debezium's and PostgreSQL wrapper's own loggers down to WARN.
 *
 * <p>A Connect worker logs every client's full configuration and every rebalance step at INFO, and
 * Debezium logs its settings and each stage of streaming: thousands of lines that drown the
 * application's output. Only these logger names are touched, only when nobody configured them, and
 * only when they would otherwise log below WARN — a logback.xml that sets a level always wins, and a
 * quieter inherited level (e.g. {@code org.apache.kafka} at ERROR) is never made louder.
 */
final class ConnectLogLevels {

    /** Logger name roots of the Connect runtime, its REST server, Debezium and zonky's PostgreSQL wrapper. */
    static final List<String> CONNECT_LOGGERS = List.of(
        "org.apache.kafka.connect",
        // Connect's internal producers, consumers and admin clients print their whole configuration.
        "org.apache.kafka.common.config.AbstractConfig",
        "org.apache.kafka.common.utils.AppInfoParser",
        "org.apache.kafka.clients",
        "org.eclipse.jetty",
        "org.glassfish.jersey",
        "org.reflections",
        "io.debezium",
        "io.zonky.test.db.postgres");

    private ConnectLogLevels() {
    }

    static void quietUnlessConfigured() {
        for (String name : CONNECT_LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger
                && logger.getLevel() == null
                && !logger.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) {
                logger.setLevel(Level.WARN);
            }
        }
    }
}
