package io.orderflow.devtools.deploy;

import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.devtools.it.SystemTool;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code deploy/postgres/logins.sh}, which docker compose's {@code db-logins} runs after the migrations, on a real
 * PostgreSQL with the real {@code psql}: it makes the intake's and Debezium's login users with the roles V3 creates,
 * and running it again changes their passwords and nothing else.
 */
class PostgresLoginsScriptTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("deploy/postgres/logins.sh");
    /** LocalPostgres's superuser, whose password is the application role's. */
    private static final String SUPERUSER = "postgres";

    @Test
    void shouldMakeTheIntakesAndDebeziumsLoginsWithTheirRolesWhenRunAfterTheMigrations() throws Exception {
        SystemTool.need("psql", onPath("psql"), "psql is not on the PATH: install it (Debian/Ubuntu: apt-get install "
                + "postgresql-client, 15 or later) to run deploy/postgres/logins.sh");
        try (LocalPostgres postgres = LocalPostgres.builder().start()) {
            // Given a database the owner has migrated
            Properties owner = new Properties();
            owner.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
            owner.put(IntakeConfig.JDBC_USER, postgres.user());
            owner.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
            IntakeService.migrate(IntakeConfig.from(owner));

            // When the script runs, and runs again with new passwords
            assertThat(run(postgres, "intake-1", "cdc-1")).isZero();
            assertThat(run(postgres, "intake-2", "cdc-2")).isZero();

            // Then the intake's login writes the outbox with its new password, and reads no event
            try (Connection intake = postgres.connect("orderflow_intake", "intake-2")) {
                intake.setAutoCommit(false);
                execute(intake, "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES ('"
                        + UUID.randomUUID() + "', 'order', 'o1', 'OrderPlaced', '{}')");
                intake.commit();
                assertThat(catchThrowableOfType(SQLException.class, () -> execute(intake, "SELECT payload FROM outbox"))
                        .getSQLState()).isEqualTo("42501");
            }
            // ... Debezium's may replicate and reads the outbox
            try (Connection cdc = postgres.connect("orderflow_cdc", "cdc-2");
                 PreparedStatement role = cdc.prepareStatement("SELECT rolreplication, "
                         + "pg_has_role(current_user, 'orderflow_outbox_reader', 'MEMBER'), "
                         + "pg_has_role(current_user, 'orderflow_intake_writer', 'MEMBER') FROM pg_roles "
                         + "WHERE rolname = current_user");
                 ResultSet row = role.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getBoolean(1)).as("REPLICATION").isTrue();
                assertThat(row.getBoolean(2)).as("member of orderflow_outbox_reader").isTrue();
                assertThat(row.getBoolean(3)).as("member of orderflow_intake_writer").isFalse();
                execute(cdc, "SELECT payload FROM outbox");
            }
            // ... and the first passwords are gone
            assertThat(catchThrowableOfType(SQLException.class,
                    () -> postgres.connect("orderflow_intake", "intake-1").close()).getMessage())
                    .contains("password authentication failed");
        }
    }

    private static int run(LocalPostgres postgres, String intakePassword, String cdcPassword) throws Exception {
        ProcessBuilder script = new ProcessBuilder("sh", SCRIPT.toString()).redirectErrorStream(true);
        Map<String, String> env = script.environment();
        env.put("PGHOST", postgres.host());
        env.put("PGPORT", Integer.toString(postgres.port()));
        env.put("PGUSER", SUPERUSER);
        env.put("PGPASSWORD", postgres.password());
        env.put("PGDATABASE", postgres.database());
        env.put("INTAKE_LOGIN", "orderflow_intake");
        env.put("INTAKE_PASSWORD", intakePassword);
        env.put("CDC_LOGIN", "orderflow_cdc");
        env.put("CDC_PASSWORD", cdcPassword);
        Process process = script.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(output).as("the script's output").doesNotContain(intakePassword).doesNotContain(cdcPassword);
        assertThat(process.exitValue()).as(output).isZero();
        return process.exitValue();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
