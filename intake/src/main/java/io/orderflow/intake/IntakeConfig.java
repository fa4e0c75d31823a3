package io.orderflow.intake;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Properties;

/**
 * Settings of the order intake, read from properties:
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code intake.jdbc.url}</td><td>required</td><td>PostgreSQL JDBC URL</td></tr>
 *   <tr><td>{@code intake.jdbc.user}, {@code intake.jdbc.password}</td><td>none</td><td>credentials</td></tr>
 *   <tr><td>{@code intake.jdbc.pool.size}</td><td>10</td><td>connections in the pool</td></tr>
 *   <tr><td>{@code intake.jdbc.connection.timeout}</td><td>5s</td><td>how long a request waits for a connection
 *       before it is answered "unavailable"; also how long start-up tries to reach the database</td></tr>
 *   <tr><td>{@code intake.outbox.mode}</td><td>delete</td><td>{@code delete}: outbox rows are deleted in the
 *       transaction that wrote them; {@code keep}: they stay until purged</td></tr>
 *   <tr><td>{@code intake.batch.max}</td><td>100</td><td>group commit: at most this many concurrent
 *       {@code POST /orders} share one PostgreSQL transaction (1 = one transaction per order)</td></tr>
 *   <tr><td>{@code intake.batch.writers}</td><td>2</td><td>threads that write those batches, each on its own pooled
 *       connection; at most {@code intake.jdbc.pool.size}</td></tr>
 * </table>
 *
 * {@link #toString()} never shows the password.
 */
public record IntakeConfig(String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout,
                           OutboxMode outboxMode, int batchMax, int batchWriters) {

    public static final String JDBC_URL = "intake.jdbc.url";
    public static final String JDBC_USER = "intake.jdbc.user";
    public static final String JDBC_PASSWORD = "intake.jdbc.password";
    public static final String POOL_SIZE = "intake.jdbc.pool.size";
    public static final String CONNECTION_TIMEOUT = "intake.jdbc.connection.timeout";
    public static final String OUTBOX_MODE = "intake.outbox.mode";
    public static final String BATCH_MAX = "intake.batch.max";
    public static final String BATCH_WRITERS = "intake.batch.writers";

    static final int DEFAULT_POOL_SIZE = 10;
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    static final int DEFAULT_BATCH_MAX = 100;
    static final int DEFAULT_BATCH_WRITERS = 2;
    // HikariCP refuses anything shorter.
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    public IntakeConfig {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            throw new IllegalArgumentException(JDBC_URL + " is required, e.g. jdbc:postgresql://localhost:5432/orders");
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(JDBC_URL + " must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was "
                    + redact(jdbcUrl));
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException(POOL_SIZE + " must be >= 1, was " + poolSize);
        }
        if (connectionTimeout == null || connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException(CONNECTION_TIMEOUT + " must be at least 250ms, was " + connectionTimeout);
        }
        if (outboxMode == null) {
            throw new IllegalArgumentException(OUTBOX_MODE + " is required");
        }
        if (batchMax < 1) {
            throw new IllegalArgumentException(BATCH_MAX + " must be >= 1, was " + batchMax);
        }
        if (batchWriters < 1 || batchWriters > poolSize) {
            throw new IllegalArgumentException(BATCH_WRITERS + " must be between 1 and " + POOL_SIZE + " (" + poolSize
                    + "), was " + batchWriters);
        }
    }

    /** Settings with the default group commit ({@value #DEFAULT_BATCH_MAX} orders, at most 2 writers). */
    public IntakeConfig(String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout,
                        OutboxMode outboxMode) {
        this(jdbcUrl, user, password, poolSize, connectionTimeout, outboxMode, DEFAULT_BATCH_MAX,
                Math.min(DEFAULT_BATCH_WRITERS, poolSize));
    }

    public static IntakeConfig from(Properties props) {
        int poolSize = integer(props, POOL_SIZE, DEFAULT_POOL_SIZE);
        return new IntakeConfig(
                trimmed(props.getProperty(JDBC_URL)),
                trimmed(props.getProperty(JDBC_USER)),
                props.getProperty(JDBC_PASSWORD),
                poolSize,
                duration(props, CONNECTION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT),
                props.getProperty(OUTBOX_MODE) == null
                        ? OutboxMode.DELETE
                        : OutboxMode.parse(OUTBOX_MODE, props.getProperty(OUTBOX_MODE)),
                integer(props, BATCH_MAX, DEFAULT_BATCH_MAX),
                integer(props, BATCH_WRITERS, Math.min(DEFAULT_BATCH_WRITERS, Math.max(1, poolSize))));
    }

    /** The same settings with another outbox mode. */
    public IntakeConfig withOutboxMode(OutboxMode mode) {
        return new IntakeConfig(jdbcUrl, user, password, poolSize, connectionTimeout, mode, batchMax, batchWriters);
    }

    /** The same settings with another group commit: at most {@code max} orders per transaction, {@code writers} threads. */
    public IntakeConfig withBatch(int max, int writers) {
        return new IntakeConfig(jdbcUrl, user, password, poolSize, connectionTimeout, outboxMode, max, writers);
    }

    /** The JDBC URL safe to print: a {@code password=} parameter in it is masked. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    @Override
    public String toString() {
        return "IntakeConfig[url=" + redactedUrl() + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", outboxMode=" + outboxMode
                + ", batchMax=" + batchMax + ", batchWriters=" + batchWriters + "]";
    }

    static String redact(String url) {
        return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    private static String trimmed(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static int integer(Properties props, String key, int fallback) {
        String text = trimmed(props.getProperty(key));
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + text + "'", e);
        }
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT5S}), as elsewhere in Orderflow. */
    static Duration duration(Properties props, String key, Duration fallback) {
        String text = trimmed(props.getProperty(key));
        if (text == null) {
            return fallback;
        }
        String t = text.toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(key + " must be a duration such as 500ms, 5s, 1m or PT5S, was '" + text + "'");
    }
}
