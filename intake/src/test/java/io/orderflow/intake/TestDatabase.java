package io.orderflow.intake;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL for one test class (zonky's embedded binaries, {@code wal_level=logical} as Debezium needs), on
 * an ephemeral port, with small helpers to look at what the intake wrote.
 */
public final class TestDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private boolean closed;

    private TestDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static TestDatabase start() {
        try {
            // zonky turns synchronous_commit off for speed; on (PostgreSQL's default) makes a commit's WAL visible to
            // logical decoding the moment commit returns, as in production.
            return new TestDatabase(EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("synchronous_commit", "on")
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /** Settings for an intake on this database; a short connection timeout keeps "database down" tests quick. */
    public IntakeConfig config(OutboxMode mode) {
        return new IntakeConfig(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null, 10,
                Duration.ofSeconds(1), mode);
    }

    /** Settings for an intake that logs in as {@code user} (a role the test created; the server trusts local logins). */
    public IntakeConfig config(String user, OutboxMode mode) {
        return new IntakeConfig(postgres.getJdbcUrl(user, "postgres"), user, null, 10, Duration.ofSeconds(1), mode);
    }

    /** A new connection as {@code user}; the caller closes it. */
    public Connection connect(String user) throws SQLException {
        return java.sql.DriverManager.getConnection(postgres.getJdbcUrl(user, "postgres"), user, null);
    }

    public long count(String sql, Object... args) {
        List<Map<String, Object>> rows = query(sql, args);
        return ((Number) rows.get(0).values().iterator().next()).longValue();
    }

    public List<Map<String, Object>> query(String sql, Object... args) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= result.getMetaData().getColumnCount(); c++) {
                        row.put(result.getMetaData().getColumnLabel(c), result.getObject(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("test query failed: " + sql, e);
        }
    }

    /** A new connection as the superuser; the caller closes it. */
    public Connection connect() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }

    public void execute(String sql) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test statement failed: " + sql, e);
        }
    }

    /** Stops PostgreSQL; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        }
    }
}
