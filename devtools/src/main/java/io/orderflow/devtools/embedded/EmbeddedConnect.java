package io.orderflow.devtools.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.LoaderSwap;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.ConnectRestServer;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.RestServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
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

/**
 * A Kafka Connect worker in distributed mode running inside this JVM, for {@code saga demo} and
 * the outbox integration tests: the same REST API a Connect cluster offers, so connectors are
 * registered exactly as against a real one ({@code PUT /connectors/{name}/config}).
 *
 * <pre>{@code
 * try (EmbeddedConnect connect = EmbeddedConnect.builder(kafka.bootstrapServers()).start()) {
 *     connect.registerConnector(Path.of("connectors/orders-outbox.json"), postgres.debeziumConnection());
 *     connect.awaitRunning("orders-outbox", Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>It is Kafka's own distributed worker, wired the way {@code connect-distributed.sh} wires it
 * ({@link ConnectDistributed}'s herder, worker and Kafka-backed config, offset and status stores),
 * except that a failure is thrown to the caller instead of exiting the JVM. Plugins are found on
 * the class path through their service manifests (Debezium's PostgreSQL connector and its outbox
 * {@code EventRouter} come as Maven dependencies). Settings suit one worker on one broker:
 * internal topics with replication factor 1 and one partition, no delay before reassigning the
 * tasks of a worker that vanished (a restarted demo), exactly-once source support enabled. The
 * REST API listens on 127.0.0.1 only. Connect's and Debezium's loggers are turned down to WARN
 * unless the logging configuration names them.
 */
public final class EmbeddedConnect implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnect.class);

    static final String HOST = "127.0.0.1";
    static final String DEFAULT_GROUP_ID = "orderflow-connect";

    /** Joining the group and reading the internal topics; a worker that takes longer is stuck. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Tasks get Connect's default 5 s to stop gracefully; the herder's own shutdown comes on top. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A connector's configuration is validated while the PUT waits (Debezium connects to the
     * database then); Connect itself gives up after 90 s.
     */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(95);
    /** A status is read from the worker's memory: an answer that takes longer means the worker is stuck. */
    static final Duration STATUS_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /** Settings the builder derives itself; overriding them would desynchronise the worker and this class. */
    private static final Set<String> DERIVED_KEYS = Set.of(
        "bootstrap.servers", "listeners", "rest.advertised.host.name", "rest.advertised.port",
        "rest.advertised.listener", "admin.listeners");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connect<DistributedHerder> connect;
    private final URI restUrl;
    private final HttpClient http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedConnect(Connect<DistributedHerder> connect, URI restUrl, HttpClient http) {
        this.connect = connect;
        this.restUrl = restUrl;
        this.http = http;
    }

    /** A worker for the Kafka cluster at {@code bootstrapServers}. */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** {@code http://127.0.0.1:<port>}: the worker's REST API, without a trailing slash. */
    public String restUrl() {
        return restUrl.toString();
    }

    /**
     * Creates or updates the connector described by {@code jsonFile} — Connect's
     * {@code {"name": …, "config": {…}}} format, as {@code POST /connectors} takes it — with
     * {@code overrides} applied on top of its config (typically the database connection,
     * {@link LocalPostgres#debeziumConnection()}). An override of {@code name} registers the same
     * configuration under another name. Sent as {@code PUT /connectors/{name}/config}, so
     * registering again updates the connector in place.
     *
     * @return the connector's name
     * @throws IllegalStateException with Connect's answer if the worker refuses the configuration
     *                               (e.g. Debezium cannot reach the database while validating it)
     */
    public String registerConnector(Path jsonFile, Map<String, String> overrides) {
        Map<String, String> config = readConnectorFile(jsonFile);
        config.putAll(overrides);
        String name = config.get("name");
        return registerConnector(name, config);
    }

    /** The {@code name} of the connector described by {@code jsonFile} (Connect's {@code {"name": …}} format). */
    public static String connectorName(Path jsonFile) {
        return readConnectorFile(jsonFile).get("name");
    }

    /** Creates or updates connector {@code name} with {@code config} ({@code PUT /connectors/{name}/config}). */
    public String registerConnector(String name, Map<String, String> config) {
        requireName(name);
        Map<String, String> body = new LinkedHashMap<>(config);
        body.put("name", name);
        HttpResponse<String> response = sendRetryingConflicts(HttpRequest.newBuilder(connectorUri(name, "/config"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(toJson(body)))
            .timeout(REQUEST_TIMEOUT));
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException("Connect refused connector " + name + " (HTTP " + response.statusCode()
                + "): " + describeError(response.body()));
        }
        LOG.info("Registered connector {} with the embedded Connect worker at {}", name, restUrl);
        return name;
    }

    /**
     * Waits until connector {@code name} and every one of its tasks are RUNNING, polling
     * {@code GET /connectors/{name}/status}.
     *
     * @throws IllegalStateException as soon as the connector or a task is FAILED (the message has
     *                               the failure and the whole status), or if {@code timeout} passes
     *                               first (with the last status seen)
     */
    public void awaitRunning(String name, Duration timeout) {
        requireName(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastStatus = "(none yet)";
        do {
            HttpResponse<String> response = send(HttpRequest.newBuilder(connectorUri(name, "/status"))
                .GET()
                .timeout(STATUS_REQUEST_TIMEOUT));
            // 404 right after registration: the worker has not written the first status yet.
            if (response.statusCode() == 200) {
                lastStatus = response.body();
                JsonNode status = parse(lastStatus);
                List<String> failures = failures(status);
                if (!failures.isEmpty()) {
                    throw new IllegalStateException("Connector " + name + " FAILED: " + String.join("; ", failures)
                        + "\nStatus: " + lastStatus);
                }
                if (isRunning(status)) {
                    return;
                }
            } else if (response.statusCode() != 404) {
                lastStatus = "HTTP " + response.statusCode() + ": " + response.body();
            }
            pause("connector " + name + " to run");
        } while (deadline - System.nanoTime() > 0);
        throw new IllegalStateException("Connector " + name + " was not RUNNING within " + timeout.toMillis()
            + " ms. Last status: " + lastStatus);
    }

    /**
     * Stops connector {@code name} ({@code PUT /connectors/{name}/stop}): its tasks are shut down and their
     * configurations dropped, its offsets kept; {@link #resumeConnector} starts it again. Returns once the
     * connector is STOPPED with no task left.
     *
     * @throws IllegalStateException if Connect refuses, or the connector is not STOPPED within {@code timeout}
     */
    public void stopConnector(String name, Duration timeout) {
        requireName(name);
        HttpResponse<String> response = sendRetryingConflicts(HttpRequest.newBuilder(connectorUri(name, "/stop"))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .timeout(REQUEST_TIMEOUT));
        if (response.statusCode() != 202 && response.statusCode() != 204) {
            throw new IllegalStateException("Connect could not stop connector " + name + " (HTTP "
                + response.statusCode() + "): " + describeError(response.body()));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastStatus = "(none yet)";
        do {
            HttpResponse<String> status = send(HttpRequest.newBuilder(connectorUri(name, "/status"))
                .GET()
                .timeout(STATUS_REQUEST_TIMEOUT));
            if (status.statusCode() == 200) {
                lastStatus = status.body();
                JsonNode node = parse(lastStatus);
                if ("STOPPED".equals(node.path("connector").path("state").asText()) && node.path("tasks").isEmpty()) {
                    return;
                }
            }
            pause("connector " + name + " to stop");
        } while (deadline - System.nanoTime() > 0);
        throw new IllegalStateException("Connector " + name + " was not STOPPED within " + timeout.toMillis()
            + " ms. Last status: " + lastStatus);
    }

    /**
     * Resumes a stopped or paused connector {@code name} ({@code PUT /connectors/{name}/resume}); wait for it
     * with {@link #awaitRunning}.
     */
    public void resumeConnector(String name) {
        requireName(name);
        HttpResponse<String> response = sendRetryingConflicts(HttpRequest.newBuilder(connectorUri(name, "/resume"))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .timeout(REQUEST_TIMEOUT));
        if (response.statusCode() != 202 && response.statusCode() != 204) {
            throw new IllegalStateException("Connect could not resume connector " + name + " (HTTP "
                + response.statusCode() + "): " + describeError(response.body()));
        }
    }

    /**
     * Deletes connector {@code name} ({@code DELETE /connectors/{name}}); a connector that does not
     * exist is not an error. Debezium leaves its replication slot in the database.
     */
    public void deleteConnector(String name) {
        requireName(name);
        HttpResponse<String> response = sendRetryingConflicts(HttpRequest.newBuilder(connectorUri(name, ""))
            .DELETE()
            .timeout(REQUEST_TIMEOUT));
        if (response.statusCode() != 204 && response.statusCode() != 404) {
            throw new IllegalStateException("Connect could not delete connector " + name + " (HTTP "
                + response.statusCode() + "): " + describeError(response.body()));
        }
    }

    /**
     * Stops the worker: its REST API, then its connectors and tasks, then the herder. Safe to call
     * more than once. Internal topics and the connectors registered in them stay in Kafka.
     *
     * @throws IllegalStateException if the worker does not stop within 30 s
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        stop(connect);
        LOG.info("Embedded Connect worker at {} stopped in {} ms", restUrl, Elapsed.millisSince(started));
    }

    private static void stop(Connect<?> connect) {
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(connect::stop);
        try {
            stopped.get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Embedded Connect worker did not stop within " + SHUTDOWN_TIMEOUT.toSeconds()
                + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the embedded Connect worker", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Embedded Connect worker failed to stop: " + e.getCause().getMessage(),
                e.getCause());
        }
    }

    private URI connectorUri(String name, String suffix) {
        return URI.create(restUrl + "/connectors/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
            + suffix);
    }

    /**
     * Connect answers 409 while a rebalance is under way (e.g. right after another connector was
     * added or removed) and asks to try again: retried for as long as one request may take.
     */
    private HttpResponse<String> sendRetryingConflicts(HttpRequest.Builder request) {
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        HttpRequest built = request.build();
        HttpResponse<String> response = send(http, built);
        while (response.statusCode() == 409 && deadline - System.nanoTime() > 0) {
            pause(built.method() + " " + built.uri() + " after a rebalance");
            response = send(http, built);
        }
        return response;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return send(http, request.build());
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Connect REST request " + request.method() + " " + request.uri()
                + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during Connect REST request " + request.method() + " "
                + request.uri(), e);
        }
    }

    /** "connector: …" and "task 0: …" for each FAILED part, with the failure and its root cause from the trace. */
    private static List<String> failures(JsonNode status) {
        List<String> failures = new ArrayList<>();
        if ("FAILED".equals(status.path("connector").path("state").asText())) {
            failures.add("connector: " + describeTrace(status.path("connector").path("trace").asText("(no trace)")));
        }
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                failures.add("task " + task.path("id").asText() + ": "
                    + describeTrace(task.path("trace").asText("(no trace)")));
            }
        }
        return failures;
    }

    private static boolean isRunning(JsonNode status) {
        if (!"RUNNING".equals(status.path("connector").path("state").asText())) {
            return false;
        }
        JsonNode tasks = status.path("tasks");
        if (!tasks.isArray() || tasks.isEmpty()) {
            return false;
        }
        for (JsonNode task : tasks) {
            if (!"RUNNING".equals(task.path("state").asText())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first line of a Java stack trace, plus its last "Caused by:" line when there is one:
     * Connect wraps the connector's own reason (e.g. "password authentication failed").
     */
    static String describeTrace(String trace) {
        String[] lines = trace.split("\\R");
        String first = lines[0].strip();
        for (int i = lines.length - 1; i > 0; i--) {
            String line = lines[i].strip();
            if (line.startsWith("Caused by: ")) {
                String root = line.substring("Caused by: ".length());
                return first.contains(root) ? first : first + " (caused by " + root + ")";
            }
        }
        return first;
    }

    /** Connect answers errors as {@code {"error_code":…,"message":…}}; anything else is shown as it came. */
    private static String describeError(String body) {
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.hasNonNull("message")) {
                return error.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON (e.g. a proxy's HTML page): the raw body is the best description there is.
        }
        return body;
    }

    /** The connector file with every config value as a string (Connect's REST API takes strings). */
    static Map<String, String> readConnectorFile(Path jsonFile) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(jsonFile, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Connector file " + jsonFile + " is not valid JSON: "
                + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read connector file " + jsonFile, e);
        }
        if (root == null || !root.path("name").isTextual() || !root.path("config").isObject()) {
            throw new IllegalArgumentException("Connector file " + jsonFile
                + " must be {\"name\": \"…\", \"config\": {…}} (Connect's POST /connectors format)");
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", root.get("name").asText());
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.get("config").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw new IllegalArgumentException("Connector file " + jsonFile + ": config." + field.getKey()
                    + " must be a string, number or boolean");
            }
            config.put(field.getKey(), value.asText());
        }
        return config;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Connect answered with invalid JSON: " + json, e);
        }
    }

    private static String toJson(Map<String, String> config) {
        ObjectNode node = JSON.createObjectNode();
        config.forEach(node::put);
        return node.toString();
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("connector name must not be blank");
        }
    }

    private static void pause(String what) {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + what, e);
        }
    }

    /** Configures and starts an {@link EmbeddedConnect}. */
    public static final class Builder {
        private final String bootstrapServers;
        private int restPort;
        private String groupId = DEFAULT_GROUP_ID;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        }

        /** REST API port on 127.0.0.1; 0 (the default) picks a free ephemeral port. */
        public Builder restPort(int restPort) {
            if (restPort < 0 || restPort > 65535) {
                throw new IllegalArgumentException("restPort must be between 0 and 65535, was " + restPort);
            }
            this.restPort = restPort;
            return this;
        }

        /**
         * The Connect cluster's group id (default {@code orderflow-connect}); its internal topics are
         * {@code <groupId>-configs}, {@code -offsets} and {@code -status}. A worker started again
         * with the same group id on the same Kafka finds its connectors and source offsets there.
         */
        public Builder groupId(String groupId) {
            if (groupId == null || groupId.isBlank()) {
                throw new IllegalArgumentException("groupId must not be blank");
            }
            this.groupId = groupId;
            return this;
        }

        /** Overrides one worker setting (e.g. {@code exactly.once.source.support}). */
        public Builder workerConfig(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (DERIVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("Worker setting " + key
                    + " follows from builder(bootstrapServers) and restPort() and cannot be overridden");
            }
            overrides.put(key, value);
            return this;
        }

        /**
         * Starts the worker; returns once it has joined its group, read its internal topics and
         * reports itself healthy ({@code GET /health}), so connectors can be registered at once.
         *
         * @throws IllegalStateException if the REST port is taken ("port N is already in use"), or if
         *                               the worker fails or is not healthy within 60 s
         */
        public EmbeddedConnect start() {
            ConnectLogLevels.quietUnlessConfigured();
            long started = System.nanoTime();
            int port = resolvePort(restPort);
            Map<String, String> workerProps = workerProperties(port);
            URI restUrl = URI.create("http://" + HOST + ":" + port);

            Connect<DistributedHerder> connect = null;
            ConnectRestServer rest = null;
            try {
                Plugins plugins = new Plugins(workerProps);
                // Connect resolves converters, connectors and transforms through the context class
                // loader; swapped back afterwards so the caller's thread is left as it was.
                try (LoaderSwap ignored = plugins.withClassLoader(plugins.delegatingLoader())) {
                    DistributedConfig config = new DistributedConfig(workerProps);
                    RestClient restClient = new RestClient(config);
                    rest = new ConnectRestServer(config.rebalanceTimeout(), restClient, workerProps);
                    rest.initializeServer();
                    URI advertisedUrl = rest.advertisedUrl();
                    String workerId = advertisedUrl.getHost() + ":" + advertisedUrl.getPort();
                    ConnectorClientConfigOverridePolicy overridePolicy = overridePolicy(plugins, config);
                    DistributedHerder herder = new HerderWiring()
                        .herder(config, workerId, plugins, overridePolicy, rest, restClient);
                    connect = new Connect<>(herder, rest);
                    connect.start();
                }
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                awaitHealthy(http, restUrl, started);
                LOG.info("Embedded Connect worker started at {} (group {}, Kafka {}) in {} ms", restUrl, groupId,
                    bootstrapServers, Elapsed.millisSince(started));
                return new EmbeddedConnect(connect, restUrl, http);
            } catch (RuntimeException e) {
                cleanUpAfterFailedStart(connect, rest, e);
                if (hasCause(e, BindException.class)) {
                    throw portInUse(port, e);
                }
                throw e instanceof IllegalStateException ise
                    ? ise
                    : new IllegalStateException("Embedded Connect worker failed to start: " + e.getMessage(), e);
            }
        }

        private Map<String, String> workerProperties(int port) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("bootstrap.servers", bootstrapServers);
            props.put("group.id", groupId);
            props.put("listeners", "http://" + HOST + ":" + port);
            props.put("rest.advertised.host.name", HOST);
            props.put("rest.advertised.port", Integer.toString(port));

            props.put("config.storage.topic", groupId + "-configs");
            props.put("offset.storage.topic", groupId + "-offsets");
            props.put("status.storage.topic", groupId + "-status");
            // One worker, one broker, a handful of connectors: one replica, one partition each.
            props.put("config.storage.replication.factor", "1");
            props.put("offset.storage.replication.factor", "1");
            props.put("status.storage.replication.factor", "1");
            props.put("offset.storage.partitions", "1");
            props.put("status.storage.partitions", "1");

            // Connectors choose their own converters (orders-outbox: plain strings); these are the fallback.
            props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("key.converter.schemas.enable", "false");
            props.put("value.converter.schemas.enable", "false");

            // Records and source offsets in one Kafka transaction: a restarted worker resumes exactly
            // after the last event it published (Debezium's PostgreSQL connector supports it).
            props.put("exactly.once.source.support", "enabled");
            // A worker killed without leaving the group (kill -9, a crashed demo) would otherwise keep
            // its tasks unassigned for 5 minutes after the next start.
            props.put("scheduled.rebalance.max.delay.ms", "0");
            // Plugins come from the class path and all ship service manifests: no reflective scan.
            props.put("plugin.discovery", "service_load");

            props.putAll(overrides);
            return props;
        }

        /**
         * The worker's {@code connector.client.config.override.policy}, made as Connect makes it.
         * (Not through {@code Plugins.newPlugin}: its overloads name a Maven class that Connect
         * has only at run time, which javac cannot resolve.)
         */
        private static ConnectorClientConfigOverridePolicy overridePolicy(Plugins plugins, DistributedConfig config) {
            String name = config.getString(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG);
            try {
                // The delegating loader resolves Connect's aliases ("All", "None", "Principal").
                Class<? extends ConnectorClientConfigOverridePolicy> type = plugins.delegatingLoader().loadClass(name)
                    .asSubclass(ConnectorClientConfigOverridePolicy.class);
                ConnectorClientConfigOverridePolicy policy = Utils.newInstance(type);
                policy.configure(config.originals());
                return policy;
            } catch (ClassNotFoundException | ClassCastException e) {
                throw new IllegalArgumentException("Worker setting " + WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG
                    + "=" + name + " is not a connector client config override policy", e);
            }
        }

        /**
         * {@code GET /health} answers 200 once the herder has joined the group and read the config
         * topic; before that, 503 with what it is still doing — shown if it never gets there.
         */
        private static void awaitHealthy(HttpClient http, URI restUrl, long started) {
            long deadline = started + STARTUP_TIMEOUT.toNanos();
            HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/health"))
                .GET()
                .timeout(Duration.ofSeconds(10))
                .build();
            String last = "(no answer yet)";
            while (deadline - System.nanoTime() > 0) {
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                    last = "HTTP " + response.statusCode() + ": " + response.body();
                } catch (IOException e) {
                    last = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for the embedded Connect worker", e);
                }
                pause("the embedded Connect worker");
            }
            throw new IllegalStateException("Embedded Connect worker at " + restUrl + " was not healthy within "
                + STARTUP_TIMEOUT.toSeconds() + " s. Last answer of /health: " + last);
        }

        private static int resolvePort(int requested) {
            try {
                return LoopbackPorts.resolve(HOST, requested)[0];
            } catch (IllegalStateException e) {
                if (e.getCause() instanceof BindException) {
                    throw portInUse(requested, e.getCause());
                }
                throw e;
            }
        }

        private static IllegalStateException portInUse(int port, Throwable cause) {
            return new IllegalStateException("Cannot start the embedded Connect worker: port " + port
                + " is already in use. Stop the process that holds it or choose another port.", cause);
        }

        private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        private static void cleanUpAfterFailedStart(Connect<?> connect, RestServer rest, Exception failure) {
            try {
                if (connect != null) {
                    stop(connect);
                } else if (rest != null) {
                    rest.stop();
                }
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * Kafka's own wiring of a distributed herder — its worker, the Kafka-backed offset, status and
     * config stores and a shared admin client — borrowed from {@link ConnectDistributed}, whose
     * command-line entry point would exit the JVM on a start-up failure.
     */
    private static final class HerderWiring extends ConnectDistributed {

        DistributedHerder herder(DistributedConfig config, String workerId, Plugins plugins,
                                 ConnectorClientConfigOverridePolicy overridePolicy, RestServer rest,
                                 RestClient restClient) {
            return createHerder(config, workerId, plugins, overridePolicy, rest, restClient);
        }
    }
}
