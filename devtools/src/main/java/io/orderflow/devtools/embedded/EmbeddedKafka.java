package io.orderflow.devtools.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real single-node Kafka cluster — one KRaft node that is both broker and controller — running
 * inside this JVM, for {@code saga demo} and for tests that need what only a broker shows
 * (exactly-once transactions, consumer groups, restarts).
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(9092).dataDir(dir).start()) {
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>It is Kafka's own {@code KafkaRaftServer} (what {@code kafka-server-start.sh} runs) on a
 * directory formatted by Kafka's own {@code kafka-storage format}. Settings suit one node running
 * exactly-once Kafka Streams: replication factor and min ISR 1 for every internal topic, no initial
 * rebalance delay, 6 partitions by default, no topic auto-creation, small segments and a small
 * log-cleaner buffer. Listeners bind to 127.0.0.1 only. The broker's own loggers are turned down to
 * WARN unless the logging configuration names them.
 *
 * <p>Like a standalone broker, the node halts the JVM if it hits a fatal fault (e.g. its log
 * directory fails): going on with a broken broker would make every later result meaningless.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    static final String HOST = "127.0.0.1";
    static final String CLIENT_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final int NODE_ID = 1;
    /** Kafka's own name (quickstart) for the log directory of a combined node. */
    static final String LOG_DIR_NAME = "kraft-combined-logs";
    /** The configuration the node ran with last, kept in the data dir for the curious and for kafka-storage. */
    static final String CONFIG_FILE_NAME = "server.properties";

    /** Start-up bound; also passed to Kafka as {@code server.max.startup.time.ms}. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** Settings the builder derives itself; overriding them would desynchronise ports and directories. */
    private static final Set<String> DERIVED_KEYS = Set.of(
        "process.roles", "node.id", "listeners", "advertised.listeners", "listener.security.protocol.map",
        "controller.listener.names", "inter.broker.listener.name", "controller.quorum.voters",
        "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "metadata.log.dir");

    /** The administrator of a {@linkplain Builder#secured secured} node: a super user, created at format time. */
    public static final String ADMIN = "admin";
    static final String SECURED_LISTENER = "SASL_SSL";
    static final String SCRAM = "SCRAM-SHA-512";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private Security security;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean deleteDataDirOnClose) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * TLS for the client listener with {@code certificate}, and how clients log in: SCRAM-SHA-512, the administrator
     * with {@code adminPassword}; or, with {@code mutualTls}, their own certificates (the principal is
     * {@code User:CN=<name>}), which {@code certificate}'s trust store must hold.
     */
    public record Security(SelfSignedCertificate certificate, String adminPassword, boolean mutualTls) {
        /** SCRAM logins over TLS. */
        public Security(SelfSignedCertificate certificate, String adminPassword) {
            this(certificate, adminPassword, false);
        }

        /** Client certificates as logins; the node's own certificate (CN=localhost) is the administrator. */
        public static Security mutualTls(SelfSignedCertificate certificate) {
            return new Security(certificate, null, true);
        }
    }

    /** On a mutual-TLS node: the settings of a client that logs in with {@code client}'s certificate. */
    public Properties clientProperties(SelfSignedCertificate client) {
        Properties props = new Properties();
        props.put("security.protocol", "SSL");
        props.put("ssl.keystore.location", client.keyStore().toString());
        props.put("ssl.keystore.password", client.password());
        props.put("ssl.keystore.type", "PKCS12");
        return trustingTheNode(props);
    }

    /**
     * The client settings that authenticate as {@code user} with {@code password} on a secured node: SASL_SSL,
     * SCRAM-SHA-512, trusting the node's certificate. On an open node, none.
     */
    public Properties clientProperties(String user, String password) {
        Properties props = new Properties();
        if (security != null) {
            props.put("security.protocol", SECURED_LISTENER);
            props.put("sasl.mechanism", SCRAM);
            props.put("sasl.jaas.config", jaas(user, password));
            trustingTheNode(props);
        }
        return props;
    }

    /** Adds the trust store with the node's certificate, which every client of a secured node needs. */
    private Properties trustingTheNode(Properties props) {
        props.put("ssl.truststore.location", security.certificate().trustStore().toString());
        props.put("ssl.truststore.password", security.certificate().password());
        props.put("ssl.truststore.type", "PKCS12");
        return props;
    }

    /** {@link #clientProperties} of the administrator. */
    public Properties adminProperties() {
        if (security != null && security.mutualTls()) {
            return clientProperties(security.certificate());
        }
        return clientProperties(ADMIN, security == null ? null : security.adminPassword());
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** {@code 127.0.0.1:port} of the client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The node's directory: Kafka's {@code kraft-combined-logs} and the {@code server.properties} it ran with. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops the node (broker first, then controller) and deletes the data directory if this
     * instance created it. Safe to call more than once.
     *
     * @throws IllegalStateException if the node does not stop within 30 s
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        shutDown(server);
        if (deleteDataDirOnClose) {
            deleteDirectory(dataDir);
        }
        LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers, Elapsed.millisSince(started));
    }

    private static void shutDown(KafkaRaftServer server) {
        // Kafka allows a controlled shutdown up to 5 minutes; a dev node that takes longer is stuck.
        runBounded("embedded-kafka-shutdown", () -> {
            server.shutdown();
            server.awaitShutdown();
        }, SHUTDOWN_TIMEOUT, "stop");
    }

    /** Runs {@code action} on its own thread and waits at most {@code timeout} for it. */
    private static void runBounded(String threadName, Runnable action, Duration timeout, String what) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new IllegalStateException("Embedded Kafka did not " + what + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
            throw new IllegalStateException("Interrupted while waiting for embedded Kafka to " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("Embedded Kafka failed to " + what + ": " + cause.getMessage(), cause);
        }
    }

    private static void deleteDirectory(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete embedded Kafka data dir " + dir, e);
        }
    }

    /**
     * Starts a node exactly as {@code configFile} configures it, as {@code kafka-storage.sh format --ignore-formatted}
     * and {@code kafka-server-start.sh} would: formats its {@code log.dirs} (one directory) if new, then runs it and
     * returns once it serves clients. For a configuration written elsewhere (a deployment's); {@code bootstrapServers}
     * is the listener its callers use. {@link #close()} leaves the log directory.
     */
    public static EmbeddedKafka fromConfigFile(Path configFile, String bootstrapServers) {
        BrokerLogLevels.quietUnlessConfigured();
        Properties file = new Properties();
        try (java.io.Reader reader = Files.newBufferedReader(configFile)) {
            file.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configFile, e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        file.stringPropertyNames().forEach(key -> properties.put(key, file.getProperty(key)));
        properties.putIfAbsent("server.max.startup.time.ms", Long.toString(STARTUP_TIMEOUT.toMillis()));
        KafkaConfig config = new KafkaConfig(properties, false);
        Path logDir = Path.of(properties.getOrDefault("log.dirs", properties.get("log.dir")).split(",")[0].trim());
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            KafkaStorage.format(configFile, Uuid.randomUuid().toString(), logDir);
        }
        KafkaRaftServer node = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            runBounded("embedded-kafka-startup", node::startup, STARTUP_TIMEOUT.plusSeconds(5), "start");
        } catch (RuntimeException e) {
            Builder.cleanUpAfterFailedStart(node, null, e);
            throw e;
        }
        return new EmbeddedKafka(node, bootstrapServers, logDir, false);
    }

    /** Configures and starts an {@link EmbeddedKafka}. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        private Security security;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** Client listener port; 0 (the default) picks a free ephemeral port. */
        public Builder port(int port) {
            this.port = requirePort(port, "port");
            return this;
        }

        /** Controller (KRaft quorum) listener port; 0 (the default) picks a free ephemeral port. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = requirePort(controllerPort, "controllerPort");
            return this;
        }

        /**
         * Keeps the node's data in {@code dir}, which survives {@link #close()}: a directory formatted
         * by an earlier run is reused with its topics, records and offsets. Without it, a fresh
         * temporary directory is used and deleted on close.
         */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /**
         * A node as a secured production cluster is: its client listener is SASL_SSL (TLS with {@code security}'s
         * certificate, SCRAM-SHA-512 logins), Kafka's {@code StandardAuthorizer} decides every request and
         * {@code allow.everyone.if.no.acl.found=false}, so a principal may do only what ACLs allow. The
         * administrator {@value #ADMIN} is a super user whose SCRAM credential is written when the directory is
         * formatted. The controller listener stays PLAINTEXT on loopback; its principal (ANONYMOUS, the node
         * talking to itself) is a super user too.
         */
        public Builder secured(Security security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Overrides one broker setting (e.g. {@code log.retention.ms}). Listeners, node id and
         * directories follow from {@link #port}, {@link #controllerPort} and {@link #dataDir}.
         */
        public Builder brokerConfig(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (DERIVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("Broker setting " + key
                    + " follows from port(), controllerPort() and dataDir() and cannot be overridden");
            }
            overrides.put(key, value);
            return this;
        }

        /**
         * Formats the data directory if it is new and starts the node; returns once the broker is
         * registered with the controller, unfenced and serving clients.
         *
         * @throws IllegalStateException if a port is taken ("port N is already in use"), or if the
         *                               node fails or does not start within 60 s
         */
        public EmbeddedKafka start() {
            BrokerLogLevels.quietUnlessConfigured();
            long started = System.nanoTime();
            int[] ports = LoopbackPorts.resolve(HOST, port, controllerPort);
            int clientPort = ports[0];
            int quorumPort = ports[1];

            Path dir = null;
            boolean createdDir = false;
            KafkaRaftServer server = null;
            try {
                if (dataDir == null) {
                    dir = Files.createTempDirectory("orderflow-kafka-");
                    createdDir = true;
                } else {
                    dir = Files.createDirectories(dataDir);
                }
                Map<String, String> properties = brokerProperties(clientPort, quorumPort, dir.resolve(LOG_DIR_NAME));
                // Validates every setting before anything is written to the data dir.
                KafkaConfig config = new KafkaConfig(properties, false);
                Path configFile = writeConfig(dir.resolve(CONFIG_FILE_NAME), properties);
                formatIfNew(dir.resolve(LOG_DIR_NAME), configFile, security);

                KafkaRaftServer node = new KafkaRaftServer(config, Time.SYSTEM);
                server = node;
                // Kafka bounds its own waits by server.max.startup.time.ms; this also bounds anything else.
                runBounded("embedded-kafka-startup", node::startup, STARTUP_TIMEOUT.plusSeconds(5), "start");

                String bootstrap = HOST + ":" + clientPort;
                LOG.info("Embedded Kafka started on {} (controller port {}, data dir {}) in {} ms",
                    bootstrap, quorumPort, dir, Elapsed.millisSince(started));
                EmbeddedKafka kafka = new EmbeddedKafka(node, bootstrap, dir, createdDir);
                kafka.security = security;
                return kafka;
            } catch (RuntimeException | IOException e) {
                cleanUpAfterFailedStart(server, createdDir ? dir : null, e);
                OptionalInt unbindable = LoopbackPorts.portKafkaFailedToBind(e);
                if (unbindable.isPresent()) {
                    throw LoopbackPorts.portInUse(unbindable.getAsInt(), e);
                }
                throw e instanceof IllegalStateException ise
                    ? ise
                    : new IllegalStateException("Embedded Kafka failed to start: " + e.getMessage(), e);
            }
        }

        private Map<String, String> brokerProperties(int clientPort, int quorumPort, Path logDir) {
            Map<String, String> props = new LinkedHashMap<>();
            // One node with both roles and a static quorum of itself: the voter set comes from this
            // config, not from the log, so the controller port may change between runs on one data dir.
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(NODE_ID));
            props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + quorumPort);
            String client = security == null ? CLIENT_LISTENER : security.mutualTls() ? "SSL" : SECURED_LISTENER;
            props.put("listeners", client + "://" + HOST + ":" + clientPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + quorumPort);
            props.put("advertised.listeners", client + "://" + HOST + ":" + clientPort);
            props.put("listener.security.protocol.map",
                client + ":" + client + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
            props.put("controller.listener.names", CONTROLLER_LISTENER);
            props.put("inter.broker.listener.name", client);
            if (security != null && security.mutualTls()) {
                props.put("ssl.client.auth", "required");
            } else if (security != null) {
                String listener = "listener.name." + client.toLowerCase(java.util.Locale.ROOT) + ".";
                props.put("sasl.enabled.mechanisms", SCRAM);
                props.put("sasl.mechanism.inter.broker.protocol", SCRAM);
                props.put(listener + SCRAM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                    jaas(ADMIN, security.adminPassword()));
            }
            if (security != null) {
                props.put("ssl.keystore.location", security.certificate().keyStore().toString());
                props.put("ssl.keystore.password", security.certificate().password());
                props.put("ssl.keystore.type", "PKCS12");
                props.put("ssl.truststore.location", security.certificate().trustStore().toString());
                props.put("ssl.truststore.password", security.certificate().password());
                props.put("ssl.truststore.type", "PKCS12");
                props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
                props.put("allow.everyone.if.no.acl.found", "false");
                props.put("super.users", security.mutualTls() ? "User:CN=localhost;User:ANONYMOUS"
                    : "User:" + ADMIN + ";User:ANONYMOUS");
            }
            props.put("log.dirs", logDir.toString());
            props.put("metadata.log.dir", logDir.toString());
            props.put("server.max.startup.time.ms", Long.toString(STARTUP_TIMEOUT.toMillis()));

            // Exactly-once Streams on one broker: every internal topic must be creatable with one replica.
            KafkaStorage.replication(props, 1, 1);
            props.put("num.partitions", "6");

            // A dev box, not a production cluster: fewer internal partitions, files and threads.
            String segmentBytes = Integer.toString(16 * 1024 * 1024);
            props.put("offsets.topic.num.partitions", "6");
            props.put("transaction.state.log.num.partitions", "6");
            props.put("share.coordinator.state.topic.num.partitions", "6");
            props.put("log.segment.bytes", segmentBytes);
            props.put("offsets.topic.segment.bytes", segmentBytes);
            props.put("transaction.state.log.segment.bytes", segmentBytes);
            props.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
            // The log cleaner allocates this on the heap (default 128 MiB); Streams changelogs are compacted.
            props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            props.put("num.network.threads", "2");
            props.put("num.io.threads", "4");
            props.put("background.threads", "4");

            props.putAll(overrides);
            return props;
        }

        private static Path writeConfig(Path file, Map<String, String> properties) throws IOException {
            Properties config = new Properties();
            config.putAll(properties);
            try (OutputStream out = Files.newOutputStream(file)) {
                config.store(out, "Written by orderflow's EmbeddedKafka on every start; edits are overwritten.");
            }
            return file;
        }

        /** Formats with Kafka's own storage tool — the same as {@code kafka-storage.sh format}. */
        private static void formatIfNew(Path logDir, Path configFile, Security security) {
            if (Files.exists(logDir.resolve("meta.properties"))) {
                LOG.info("Reusing Kafka data in {}", logDir);
                return;
            }
            String clusterId = Uuid.randomUuid().toString();
            KafkaStorage.format(configFile, clusterId, logDir, security == null || security.mutualTls() ? null
                : SCRAM + "=[name=" + ADMIN + ",password=" + security.adminPassword() + "]");
            LOG.info("Formatted new Kafka data dir {} (cluster id {})", logDir, clusterId);
        }

        private static void cleanUpAfterFailedStart(KafkaRaftServer server, Path createdDir, Exception failure) {
            if (server != null) {
                try {
                    shutDown(server);
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            if (createdDir != null) {
                try {
                    deleteDirectory(createdDir);
                } catch (UncheckedIOException e) {
                    failure.addSuppressed(e);
                }
            }
        }

        private static int requirePort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be between 0 and 65535, was " + port);
            }
            return port;
        }
    }
}
