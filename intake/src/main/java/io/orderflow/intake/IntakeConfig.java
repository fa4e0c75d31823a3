package io.orderflow.intake;

import io.orderflow.config.Settings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
 *   <tr><td>{@code intake.request.timeout}</td><td>5s</td><td>how long a request waits for its transaction before
 *       it is answered "unavailable" (the order may still be written: a retry with the same key is safe)</td></tr>
 *   <tr><td>{@code intake.encryption.keys}</td><td>none</td><td>the keys file personal data (the note) is sealed
 *       with, AES-256-GCM, in the order row and the outbox row; none: stored as given</td></tr>
 * </table>
 *
 * {@link #toString()} never shows the password.
 */
public record IntakeConfig(String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout,
                           OutboxMode outboxMode, int batchMax, int batchWriters, Duration requestTimeout,
                           Path encryptionKeys) {

    public static final String JDBC_URL = "intake.jdbc.url";
    public static final String JDBC_USER = "intake.jdbc.user";
    public static final String JDBC_PASSWORD = "intake.jdbc.password";
    public static final String POOL_SIZE = "intake.jdbc.pool.size";
    public static final String CONNECTION_TIMEOUT = "intake.jdbc.connection.timeout";
    public static final String OUTBOX_MODE = "intake.outbox.mode";
    public static final String BATCH_MAX = "intake.batch.max";
    public static final String BATCH_WRITERS = "intake.batch.writers";
    public static final String REQUEST_TIMEOUT = "intake.request.timeout";
    public static final String ENCRYPTION_KEYS = "intake.encryption.keys";

    static final int DEFAULT_POOL_SIZE = 10;
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    static final int DEFAULT_BATCH_MAX = 100;
    static final int DEFAULT_BATCH_WRITERS = 2;
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
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
        if (requestTimeout == null || requestTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException(REQUEST_TIMEOUT + " must be at least 250ms, was " + requestTimeout);
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
                Math.min(DEFAULT_BATCH_WRITERS, poolSize), DEFAULT_REQUEST_TIMEOUT, null);
    }

    /**
     * The intake's settings: types, defaults, validators and what each means. intake/README.md's settings table is
     * checked against it ({@code IntakeSettingsDocumentedTest}); the rules that involve two keys (writers within the
     * pool) and the URL's form are checked when the settings are built.
     */
    public static final ConfigDef DEF = new ConfigDef()
            .define(JDBC_URL, Type.STRING, null, Importance.HIGH, "jdbc:postgresql://host:5432/db (required)")
            .define(JDBC_USER, Type.STRING, null, Importance.HIGH, "database user")
            .define(JDBC_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                    "database password (never logged or put in a message)")
            .define(POOL_SIZE, Type.INT, DEFAULT_POOL_SIZE, Settings.atLeast(1), Importance.MEDIUM,
                    "HikariCP pool size")
            .define(CONNECTION_TIMEOUT, Type.STRING, "5s", Settings.duration(MIN_CONNECTION_TIMEOUT),
                    Importance.MEDIUM, "how long a request waits for a connection before 503; also how long "
                            + "start-up tries to reach the database")
            .define(OUTBOX_MODE, Type.STRING, "delete",
                    ConfigDef.LambdaValidator.with((name, value) -> OutboxMode.parse(name, (String) value),
                            () -> "delete or keep"),
                    Importance.MEDIUM, "delete: outbox rows are deleted in the transaction that wrote them; keep: "
                            + "they stay until purged")
            .define(BATCH_MAX, Type.INT, DEFAULT_BATCH_MAX, Settings.atLeast(1), Importance.MEDIUM,
                    "group commit: at most this many concurrent POST /orders share one transaction")
            .define(BATCH_WRITERS, Type.INT, null, Importance.MEDIUM,
                    "threads that write those batches, each on its own pooled connection (default 2, at most "
                            + "intake.jdbc.pool.size)")
            .define(REQUEST_TIMEOUT, Type.STRING, "5s", Settings.duration(MIN_CONNECTION_TIMEOUT),
                    Importance.MEDIUM, "how long a request waits for its transaction before 503 (the order may still "
                            + "be written: retrying with the same Idempotency-Key is safe)")
            .define(ENCRYPTION_KEYS, Type.STRING, null, Importance.HIGH,
                    "keys file: personal data (the note) is sealed with its active key (AES-256-GCM) in the order "
                            + "and outbox rows; the outbox connector's transform opens it. None: stored as given");

    /** @throws IllegalArgumentException naming a setting that is not valid */
    public static IntakeConfig from(Properties props) {
        Map<String, Object> values = Settings.parse(DEF, props);
        int poolSize = (Integer) values.get(POOL_SIZE);
        Password password = (Password) values.get(JDBC_PASSWORD);
        Integer writers = (Integer) values.get(BATCH_WRITERS);
        return new IntakeConfig(
                (String) values.get(JDBC_URL),
                (String) values.get(JDBC_USER),
                password == null ? null : password.value(),
                poolSize,
                Settings.duration(values, CONNECTION_TIMEOUT),
                OutboxMode.parse(OUTBOX_MODE, (String) values.get(OUTBOX_MODE)),
                (Integer) values.get(BATCH_MAX),
                writers != null ? writers : Math.min(DEFAULT_BATCH_WRITERS, poolSize),
                Settings.duration(values, REQUEST_TIMEOUT),
                values.get(ENCRYPTION_KEYS) == null ? null : Path.of((String) values.get(ENCRYPTION_KEYS)));
    }

    /** The same settings with another outbox mode. */
    public IntakeConfig withOutboxMode(OutboxMode mode) {
        return new IntakeConfig(jdbcUrl, user, password, poolSize, connectionTimeout, mode, batchMax, batchWriters,
                requestTimeout, encryptionKeys);
    }

    /** The same settings with another group commit: at most {@code max} orders per transaction, {@code writers} threads. */
    public IntakeConfig withBatch(int max, int writers) {
        return new IntakeConfig(jdbcUrl, user, password, poolSize, connectionTimeout, outboxMode, max, writers,
                requestTimeout, encryptionKeys);
    }

    /** The same settings, sealing personal data with the keys in {@code keys} (null: not sealed). */
    public IntakeConfig withEncryptionKeys(Path keys) {
        return new IntakeConfig(jdbcUrl, user, password, poolSize, connectionTimeout, outboxMode, batchMax,
                batchWriters, requestTimeout, keys);
    }

    /** The JDBC URL safe to print: a {@code password=} parameter in it is masked. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    @Override
    public String toString() {
        return "IntakeConfig[url=" + redactedUrl() + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + ", outboxMode=" + outboxMode
                + ", batchMax=" + batchMax + ", batchWriters=" + batchWriters + ", requestTimeout=" + requestTimeout
                + ", encryptionKeys=" + encryptionKeys
                + "]";
    }

    static String redact(String url) {
        return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
