package io.orderflow.intake;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Opens the intake's connection pool and brings the schema up to date (Flyway, {@code db/migration}). */
final class Database {
    private static final String MIGRATIONS = "classpath:db/migration";
    /** Longer than any statement of the intake's takes; a hung database is let go after it. */
    static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(30);
    // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 = connection exception,
    // class 53 = insufficient resources (too many connections, out of memory or disk).
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03");

    private Database() {
    }

    /**
     * A pool on {@code config}'s database whose schema is migrated. Fails with an {@link IllegalStateException}
     * naming the URL (never the password) when the database cannot be reached or migrated.
     */
    static HikariDataSource open(IntakeConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("orderflow-intake");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        // Start-up waits at most as long as a request would before saying the database is unreachable.
        hikari.setInitializationFailTimeout(config.connectionTimeout().toMillis());
        // A database that hangs (paused, or a network that drops packets) must not hold a connection forever: a read
        // that waits longer fails the connection, which the pool then replaces.
        hikari.addDataSourceProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        hikari.setAutoCommit(false);
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + config.redactedUrl() + " ("
                    + IntakeConfig.JDBC_URL + "): " + rootMessage(e), e);
        }
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations(MIGRATIONS)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            pool.close();
            throw migrationFailed(config, e);
        }
        return pool;
    }

    /** Migrates {@code config}'s database on a connection of its own, without a pool. */
    static void migrate(IntakeConfig config) {
        try {
            Flyway.configure()
                    .dataSource(config.jdbcUrl(), config.user(), config.password())
                    .locations(MIGRATIONS)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw migrationFailed(config, e);
        }
    }

    private static IllegalStateException migrationFailed(IntakeConfig config, FlywayException e) {
        return new IllegalStateException("cannot migrate the intake schema in " + config.redactedUrl() + ": "
                + rootMessage(e), e);
    }

    /** True when {@code e} says the database is unreachable rather than that the statement is wrong. */
    static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    String state = s.getSQLState();
                    if (state != null && (state.startsWith("08") || state.startsWith("53")
                            || UNAVAILABLE_STATES.contains(state))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** True for failures that a fresh attempt of the same transaction may not meet again. */
    static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        // 40001 serialization_failure, 40P01 deadlock_detected
        return "40001".equals(state) || "40P01".equals(state);
    }

    static void rollback(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailed) {
            failure.addSuppressed(rollbackFailed);
        }
    }

    /** The most telling message in {@code e}'s causes: the driver's own (it names host and port), else the root's. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        Throwable driver = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (driver == null && t instanceof SQLException && !(t instanceof SQLTransientConnectionException)) {
                driver = t;
            }
            root = t;
        }
        Throwable best = driver != null ? driver : root;
        return best.getMessage() == null ? best.getClass().getSimpleName() : best.getMessage();
    }
}
