package io.orderflow.devtools.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalPostgresTest {

    @Test
    void shouldRefuseToStartWhenThePortIsAlreadyInUse() throws Exception {
        // Given a port held by another socket on the loopback address
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(LocalPostgres.HOST))) {
            int port = taken.getLocalPort();

            // When / Then
            assertThatThrownBy(() -> LocalPostgres.builder().port(port).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + port + " is already in use");
        }
    }

    @Test
    void shouldRequireAPasswordAndDeleteTheTemporaryDataWhenClosed() throws Exception {
        // Given a server with a temporary data dir
        Path dataDir;
        try (LocalPostgres postgres = LocalPostgres.builder().start()) {
            dataDir = postgres.dataDir();

            // Then it is set up for Debezium, as the application role, with the password required
            try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SHOW wal_level")).isEqualTo("logical");
                assertThat(single(statement, "SELECT current_user")).isEqualTo(postgres.user());
                assertThat(single(statement, "SELECT current_database()")).isEqualTo(postgres.database());
                assertThat(single(statement, "SELECT rolreplication::text FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("true");
            }
            assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/orderflow");
            assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "wrong").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
            assertThat(dataDir.resolve(LocalPostgres.LOG_FILE_NAME)).exists();

            // When it is closed
            long started = System.nanoTime();
            postgres.close();

            // Then it stopped within the bound and its data is gone
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LocalPostgres.SHUTDOWN_TIMEOUT);
            assertThat(dataDir).doesNotExist();
        }
    }

    @Test
    void shouldKeepTheDataWhenRestartedOnAGivenDirectory(@TempDir Path dir) throws Exception {
        // Given a row written to a server on a given data dir
        try (LocalPostgres postgres = LocalPostgres.builder().dataDir(dir).password("s3cret'!").start();
             Connection connection = postgres.connect();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (note text)");
            statement.execute("INSERT INTO kept VALUES ('still here')");
        }
        assertThat(dir.resolve(LocalPostgres.PGDATA_DIR_NAME)).isDirectory();

        // When a new server starts on the same dir / Then the row is there
        try (LocalPostgres postgres = LocalPostgres.builder().dataDir(dir).password("s3cret'!").start();
             Connection connection = postgres.connect();
             Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT note FROM kept")).isEqualTo("still here");
        }
        assertThat(Files.list(dir)).isNotEmpty();
    }

    @Test
    void shouldRecoverACommittedRowAfterACrash(@TempDir Path dir) throws Exception {
        // Given a committed row, and a server crashed (immediate shutdown: no checkpoint) with a connection open
        LocalPostgres crashed = LocalPostgres.builder().dataDir(dir).start();
        try (Connection connection = crashed.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (note text)");
            statement.execute("INSERT INTO kept VALUES ('committed before the crash')");
            crashed.crash();

            // Then the open connection is cut
            assertThatThrownBy(() -> statement.execute("SELECT 1")).isInstanceOf(SQLException.class);
        }
        crashed.close(); // nothing left to stop

        // When a new server starts on the same dir (crash recovery) / Then the row is there
        try (LocalPostgres postgres = LocalPostgres.builder().dataDir(dir).start();
             Connection connection = postgres.connect();
             Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT note FROM kept")).isEqualTo("committed before the crash");
        }
    }

    private static String single(Statement statement, String query) throws SQLException {
        try (ResultSet result = statement.executeQuery(query)) {
            assertThat(result.next()).as(query).isTrue();
            return result.getString(1);
        }
    }
}
