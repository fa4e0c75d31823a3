package io.orderflow.devtools.demo;

import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.crypto.KeyRing;
import io.orderflow.crypto.connect.OpenSealedFields;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.Ports;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code saga demo}: a real single-node Kafka, K Streams instances with their HTTP APIs, seeded data, sample
 * orders, their outcome, and the commands to try more. Progress goes to stderr; results and the summary to stdout.
 */
public final class DemoRunner {
    private static final Duration STARTUP = Duration.ofSeconds(120);

    /** How sample orders enter: through the intake and the outbox (the default), or straight onto the topic. */
    public enum Via { OUTBOX, TOPIC }

    /** @param schemaRegistry {@code schema.registry.url}: {@code local:} or a Schema Registry's http(s) URL(s) */
    public record Options(int orders, boolean exit, int instances, int kafkaPort, int httpPort, Path dataDir,
                          String sagaTimeout, Via via, String schemaRegistry, boolean secure) {
    }

    private final Options options;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final boolean interactive = System.console() != null;
    private DemoSecurity security = DemoSecurity.none();

    private static final String LOOPBACK = "127.0.0.1";
    /** The demo's PostgreSQL login users: the intake's (orderflow_intake_writer) and Debezium's (outbox reader). */
    static final String INTAKE_LOGIN = "orderflow_intake";
    static final String CDC_LOGIN = "orderflow_cdc";

    public DemoRunner(Options options) {
        this.options = options;
    }

    public int run() throws Exception {
        Ports.requireFree(options.kafkaPort(), "--kafka-port");
        for (int i = 0; i < options.instances(); i++) {
            Ports.requireFree(options.httpPort() + i, "--http-port");
        }
        SchemaRegistry registry = SchemaRegistry.fromUrl(options.schemaRegistry());
        if (!(registry instanceof LocalSchemaRegistry)) {
            // The instances would register it on their first status change; asking now turns an unreachable or
            // refusing registry into one clear error before anything starts, instead of failing stream threads.
            String subject = Topics.ORDER_STATUS.name() + "-value";
            progress("Checking the Schema Registry at " + options.schemaRegistry() + " (registering " + subject
                    + ") ...");
            registry.register(subject, OrderStatusChanged.getClassSchema());
        }
        String runId = Long.toString(System.currentTimeMillis() % 46_656_000L / 1000, 36);
        try (Lifecycle lifecycle = new Lifecycle()) {
            Path base = options.dataDir() != null ? Files.createDirectories(options.dataDir())
                    : lifecycle.own(TempDir.create("orderflow-demo-")).path();

            security = options.secure() ? DemoSecurity.create(base.resolve("secrets")) : DemoSecurity.none();
            progress("Starting Kafka (KRaft, single node) on localhost:" + options.kafkaPort()
                    + (security.enabled() ? " with TLS, SCRAM logins and ACLs" : "") + " ...");
            EmbeddedKafka kafka = lifecycle.own(security.broker(EmbeddedKafka.builder().port(options.kafkaPort())
                    .dataDir(base.resolve("kafka"))).start());
            String bootstrap = kafka.bootstrapServers();
            security.grant(kafka);

            Properties common = new Properties();
            common.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            common.put(OrderflowConfig.SCHEMA_REGISTRY_URL, options.schemaRegistry());
            common.put(OrderflowConfig.SAGA_TIMEOUT, options.sagaTimeout());
            common.put(InstanceConfig.PARTITIONS, "6");
            common.put(InstanceConfig.REPLICATION_FACTOR, "1");
            // Like Kafka, the HTTP API answers on loopback only, unless ORDERFLOW_HTTP_HOST says otherwise.
            String httpHost = System.getenv().getOrDefault(InstanceConfig.ENV_PREFIX + "HTTP_HOST", LOOPBACK);
            common.put(InstanceConfig.HTTP_HOST, httpHost);
            security.instance(kafka, common);
            TopicSetup.ensure(common, Duration.ofSeconds(30));

            IntakeService intake = null;
            if (options.via() == Via.OUTBOX) {
                intake = lifecycle.own(startOutbox(lifecycle, base, kafka));
            }
            IntakeService intakeRole = intake;

            List<OrderflowInstance> instances = new ArrayList<>();
            for (int i = 0; i < options.instances(); i++) {
                int port = options.httpPort() + i;
                progress("Starting Orderflow instance " + (i + 1) + "/" + options.instances() + " (HTTP "
                        + port + ") ...");
                Properties props = new Properties();
                props.putAll(common);
                props.put(StreamsConfig.STATE_DIR_CONFIG, base.resolve("state-" + i).toString());
                props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
                props.put(InstanceConfig.ADVERTISED, (httpHost.equals("0.0.0.0") ? "localhost" : httpHost) + ":"
                        + port);
                if (options.instances() > 1) {
                    props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
                }
                // The first instance also serves the intake, on the same HTTP port.
                instances.add(lifecycle.own(i == 0 && intakeRole != null
                        ? OrderflowInstance.start(props, STARTUP, config -> IntakeRoutes.register(config, intakeRole))
                        : OrderflowInstance.start(props, STARTUP)));
            }

            OutcomeTracker tracker = lifecycle.own(new OutcomeTracker(security.client(kafka),
                    registry));
            DemoScenario scenario = new DemoScenario(runId, 42);
            try (KafkaProducer<String, byte[]> producer = producer(security.client(kafka))) {
                progress("Seeding stock (apple, pear, plum, 3 truffles) and funds (alice, erin, frank; bob 20.00 "
                        + "EUR; carol in USD) ...");
                for (StockAdjusted a : scenario.stock()) {
                    producer.send(new ProducerRecord<>(Topics.INVENTORY_ADJUSTMENTS.name(), a.getSku(),
                            IngressJson.write(a)));
                }
                for (FundsDeposited d : scenario.funds()) {
                    producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), d.getCustomerId(),
                            IngressJson.write(d)));
                }
                producer.flush();
                // Deposits and orders travel on different topics: wait until the seed is visible before ordering,
                // or the first orders could meet an account that does not exist yet.
                awaitSeeded(scenario);

                if (options.via() == Via.OUTBOX) {
                    progress("Placing " + options.orders() + " orders with POST /orders (PostgreSQL outbox -> "
                            + "Debezium -> " + Topics.ORDER_EVENTS + ") ...");
                    new IntakeClient(security.url(options.httpPort()), security)
                            .placeAll(scenario, options.orders(), tracker::track);
                } else {
                    progress("Placing " + options.orders() + " orders on " + Topics.ORDER_EVENTS + " ...");
                    for (int i = 1; i <= options.orders(); i++) {
                        var order = scenario.order(i);
                        tracker.track(order.getOrderId());
                        producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), order.getOrderId(),
                                IngressJson.write(order)));
                        if (scenario.cancels(i)) {
                            producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), order.getOrderId(),
                                    IngressJson.write(scenario.cancel(i))));
                        }
                    }
                    producer.flush();
                }
            }

            long started = System.nanoTime();
            Duration bound = OrderflowConfig.parseDuration(options.sagaTimeout()).plusSeconds(60);
            while (tracker.pending() > 0 && System.nanoTime() - started < bound.toNanos()) {
                liveStatus(tracker, started);
                Thread.sleep(500); // pacing the live status line; the loop condition is the bounded wait
            }
            liveStatus(tracker, started);
            endLiveStatus();

            printOutcomes(tracker);
            long pending = tracker.pending();
            if (options.exit()) {
                out.println(summary(tracker));
                out.flush();
                return pending == 0 ? 0 : 1;
            }
            printTryIt(bootstrap, registry instanceof LocalSchemaRegistry, httpHost);
            lifecycle.awaitShutdown();
            return 0;
        }
    }

    /** PostgreSQL with logical replication, the intake's schema, and Debezium's outbox connector on Connect. */
    private IntakeService startOutbox(Lifecycle lifecycle, Path base, EmbeddedKafka kafka) {
        Path connector = home().resolve("connectors/orders-outbox.json");
        if (!java.nio.file.Files.isRegularFile(connector)) {
            throw new IllegalStateException("cannot find " + connector + "; run ./saga from the repository, or use "
                    + "--via topic");
        }
        progress("Starting PostgreSQL (embedded binaries, wal_level=logical) ...");
        LocalPostgres postgres = lifecycle.own(LocalPostgres.builder().dataDir(base.resolve("postgres")).start());
        Properties intakeProps = new Properties();
        intakeProps.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        intakeProps.put(IntakeConfig.JDBC_USER, postgres.user());
        intakeProps.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        // As a deployment does it (docs/operations.md, "PostgreSQL roles"): the owner migrates; the intake and
        // Debezium log in as users that may only write, and only read, the outbox.
        IntakeService.migrate(IntakeConfig.from(intakeProps));
        postgres.createLogin(INTAKE_LOGIN, postgres.password(), false, IntakeService.WRITER_ROLE);
        postgres.createLogin(CDC_LOGIN, postgres.password(), true, IntakeService.OUTBOX_READER_ROLE);
        intakeProps.put(IntakeConfig.JDBC_USER, INTAKE_LOGIN);
        // Notes are sealed in PostgreSQL and opened by the connector's transform, as intake/README.md describes.
        Path fieldKeys = fieldKeys(base);
        intakeProps.put(IntakeConfig.ENCRYPTION_KEYS, fieldKeys.toString());
        IntakeService intake = IntakeService.start(IntakeConfig.from(intakeProps));
        progress("Starting Kafka Connect with Debezium's outbox connector ...");
        EmbeddedConnect.Builder worker = EmbeddedConnect.builder(kafka.bootstrapServers());
        security.connect(kafka).forEach((key, value) -> worker.workerConfig((String) key, (String) value));
        EmbeddedConnect connect = lifecycle.own(worker.start());
        Map<String, String> connectorSettings = new java.util.LinkedHashMap<>(
                postgres.debeziumConnection(CDC_LOGIN, postgres.password()));
        connectorSettings.putAll(OpenSealedFields.connectorSettings("outbox", fieldKeys));
        String name = connect.registerConnector(connector, connectorSettings);
        connect.awaitRunning(name, Duration.ofSeconds(120));
        return intake;
    }

    /** The demo's field encryption keys ({@code <data>/secrets/field-keys}), made on the first start, then kept. */
    private static Path fieldKeys(Path base) {
        Path file = base.resolve("secrets").resolve("field-keys");
        try {
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createDirectories(file.getParent());
                java.nio.file.Files.writeString(file, KeyRing.newFile("demo-1"));
                file.toFile().setReadable(false, false);
                file.toFile().setReadable(true, true);
            }
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the demo's field keys " + file, e);
        }
    }

    /** The repository root (set by the ./saga launcher), where connectors/ lives. */
    private static Path home() {
        return Path.of(System.getProperty("orderflow.home", "."));
    }

    private void awaitSeeded(DemoScenario scenario) throws InterruptedException {
        HttpClient client = security.httpClient();
        List<String> paths = new ArrayList<>();
        scenario.stock().forEach(a -> paths.add("/inventory/" + a.getSku()));
        scenario.funds().forEach(d -> paths.add("/accounts/" + d.getCustomerId()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String path : paths) {
            while (status(client, path) != 200) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("seed data did not become visible at " + path + " within 60s");
                }
                Thread.sleep(100); // polling a condition with the deadline above
            }
        }
    }

    private int status(HttpClient client, String path) {
        try {
            HttpRequest request = security.authorize(HttpRequest.newBuilder(URI.create(
                    security.url(options.httpPort()) + path))).timeout(Duration.ofSeconds(5)).GET().build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static KafkaProducer<String, byte[]> producer(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private void liveStatus(OutcomeTracker tracker, long startedNanos) {
        double seconds = Math.max(0.001, (System.nanoTime() - startedNanos) / 1e9);
        long done = tracker.placed() - tracker.pending();
        String line = String.format("%d placed · %.1f orders/s · %d pending · %d confirmed · %d cancelled",
                tracker.placed(), done / seconds, tracker.pending(), tracker.count(OrderStatus.CONFIRMED),
                tracker.count(OrderStatus.CANCELLED));
        if (interactive) {
            err.print("\r" + line + "   ");
        } else {
            err.println(line);
        }
        err.flush();
    }

    private void endLiveStatus() {
        if (interactive) {
            err.println();
        }
    }

    private void progress(String message) {
        err.println(message);
        err.flush();
    }

    private void printOutcomes(OutcomeTracker tracker) {
        out.println();
        out.println(String.format("%-34s %8s", "OUTCOME", "ORDERS"));
        for (Map.Entry<String, Long> e : tracker.outcomes().entrySet()) {
            out.println(String.format("%-34s %8d", e.getKey(), e.getValue()));
        }
        out.println(String.format("%-34s %8d", "total", tracker.placed()));
        out.println();
    }

    private String summary(OutcomeTracker tracker) {
        return "{\"placed\":" + tracker.placed()
                + ",\"confirmed\":" + tracker.count(OrderStatus.CONFIRMED)
                + ",\"cancelled\":" + tracker.count(OrderStatus.CANCELLED)
                + ",\"pending\":" + tracker.pending()
                + ",\"via\":\"" + options.via().name().toLowerCase() + "\"}";
    }

    private void printTryIt(String bootstrap, boolean localRegistry, String httpHost) {
        String http = (security.enabled() ? "https://" : "") + "localhost:" + options.httpPort();
        String curl = security.curl();
        String producer = "./saga console-producer --bootstrap-server " + bootstrap
                + security.consoleConfig() + " --reader-property parse.key=true --reader-property 'key.separator=|' "
                + "--topic ";
        out.println("Orderflow is running. Kafka: " + bootstrap + "; HTTP: " + (security.enabled() ? "" : "http://")
                + http
                + (options.instances() > 1 ? " to " + (options.httpPort() + options.instances() - 1) : "") + ".");
        if (security.enabled()) {
            out.println("Secured: Kafka with TLS, SCRAM logins and ACLs (instances as " + DemoSecurity.INSTANCE_USER
                    + ", Connect as " + DemoSecurity.CONNECT_USER + "); the HTTP API over HTTPS with a bearer token. "
                    + "Credentials, made up for this run, in " + security.directory() + ".");
        } else {
            out.println("The HTTP API is open, without authentication, "
                    + (httpHost.equals(LOOPBACK) ? "on loopback only" : "on " + httpHost + " (ORDERFLOW_HTTP_HOST)")
                    + ": a demo is for trying (--secure secures it). `saga run` asks for http.auth "
                    + "(docs/operations.md).");
        }
        out.println("Web console (stuck sagas, compensate, dead letters and redrive): " + security.url(options.httpPort())
                + "/console" + (security.enabled() ? " (the token is in " + security.directory().resolve("http-token")
                + ")" : ""));
        out.println("Try it from another shell (in this directory):");
        out.println();
        if (options.via() == Via.OUTBOX) {
            out.println("  # place an order through the intake (PostgreSQL outbox -> Debezium -> order.events);");
            out.println("  # money is in minor units: unitPrice 95 is 0.95 EUR. Then wait for its outcome.");
            out.println("  id=$(" + curl + " -X POST " + http + "/orders -H 'Idempotency-Key: try-0' -H 'Content-Type: "
                    + "application/json' -d '{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":"
                    + "\"pear\",\"quantity\":1,\"unitPrice\":95}]}' | sed -E 's/.*\"orderId\":\"([^\"]+)\".*/\\1/')");
            out.println("  " + curl + " \"" + http + "/orders/$id?waitFor=TERMINAL&timeout=10s\"");
            out.println();
        }
        out.println("  # place an order: key|JSON on order.events (the note is optional)");
        out.println("  echo 'o-try-1|{\"type\":\"OrderPlaced\",\"eventId\":\"try-1\",\"orderId\":\"o-try-1\","
                + "\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":2,"
                + "\"unitPrice\":120}],\"note\":\"Ring twice\"}' | " + producer + Topics.ORDER_EVENTS);
        out.println("  " + curl + " '" + http + "/orders/o-try-1?waitFor=TERMINAL&timeout=10s'");
        out.println();
        out.println("  # stock and money");
        out.println("  " + curl + " " + http + "/inventory/apple");
        out.println("  " + curl + " " + http + "/accounts/alice");
        out.println("  echo 'pear|{\"eventId\":\"try-a1\",\"sku\":\"pear\",\"delta\":50,\"reason\":\"restock\"}' | "
                + producer + Topics.INVENTORY_ADJUSTMENTS);
        out.println("  " + curl + " " + http + "/inventory/pear");
        out.println("  echo 'bob|{\"eventId\":\"try-d1\",\"customerId\":\"bob\",\"amount\":100000,\"currency\":\"EUR\"}' | "
                + producer + Topics.PAYMENT_DEPOSITS);
        out.println();
        out.println("  # cancel the order (refund and restock if it was confirmed), then watch every status change");
        out.println("  echo 'o-try-1|{\"type\":\"OrderCancelRequested\",\"eventId\":\"try-2\",\"orderId\":\"o-try-1\"}' | "
                + producer + Topics.ORDER_EVENTS);
        out.println("  " + curl + " '" + http + "/orders/o-try-1?waitFor=CANCELLED&timeout=10s'");
        out.println("  ./saga console-consumer --bootstrap-server " + bootstrap + security.consoleConfig()
                + " --topic " + Topics.ORDER_STATUS
                + " --from-beginning" + (localRegistry ? ""
                : " --formatter-property schema.registry.url=" + options.schemaRegistry()) + "    # Ctrl-C to stop");
        out.println();
        out.println("  # dead letters (records that could not be read or were refused), with the reason in their headers");
        out.println("  ./saga console-consumer --bootstrap-server " + bootstrap + security.consoleConfig()
                + " --topic " + Topics.DEAD_LETTERS
                + " --from-beginning --property print.headers=true    # Ctrl-C to stop");
        out.println();
        out.println("  # the operator's view: sagas still running (oldest first, what each awaits), dead letters");
        out.println("  ./saga sagas list" + security.operatorFlags(options.httpPort()));
        out.println("  ./saga dlq list" + security.operatorFlags(options.httpPort()));
        out.println();
        out.println("Ctrl-C stops everything" + (options.dataDir() == null ? " and deletes the data." : "."));
        out.flush();
    }
}
