package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Durations;
import io.orderflow.devtools.demo.DemoRunner;
import io.orderflow.serde.SchemaRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a whole Orderflow on this machine with sample orders.",
                "%nStarts a real single-node Kafka (KRaft), PostgreSQL, Kafka Connect with Debezium's outbox "
                        + "connector, the Streams instance(s) and the HTTP API (queries and the intake); seeds stock "
                        + "and funds, places sample orders (through POST /orders, or with --via topic straight to "
                        + "order.events), shows their outcome, and prints the commands to produce more events and "
                        + "query state.",
                "%nStays up until Ctrl-C; with --exit, until every order is terminal."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--orders", defaultValue = "20", paramLabel = "N",
            description = "sample orders to place (default ${DEFAULT-VALUE})")
    int orders;

    @Option(names = "--exit", description = "wait until every order is terminal, print the outcome and a JSON "
            + "summary as the last line, then exit")
    boolean exit;

    @Option(names = "--instances", defaultValue = "1", paramLabel = "K",
            description = "Streams instances in this JVM, each with its own state and HTTP port (default ${DEFAULT-VALUE})")
    int instances;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "port of the embedded Kafka broker (default ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
            description = "HTTP port of the first instance; instance i gets PORT+i (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "keep Kafka's data and the state stores here (default: a temporary directory, deleted on exit)")
    Path dataDir;

    @Option(names = "--saga-timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "how long an order waits for replies before it is compensated (default ${DEFAULT-VALUE})")
    String sagaTimeout;

    @Option(names = "--via", defaultValue = "outbox", paramLabel = "outbox|topic",
            description = "how sample orders enter: POST /orders through PostgreSQL, Debezium and Kafka Connect "
                    + "(outbox, the default), or written straight to order.events (topic)")
    String via;

    @Option(names = "--schema-registry", defaultValue = "local:", paramLabel = "URL",
            description = "schema.registry.url of the instances and of the demo's own readers: local: (ids derived "
                    + "from the schemas, no server) or the http(s):// URL of a Confluent-compatible Schema Registry, "
                    + "e.g. http://localhost:8081 (default ${DEFAULT-VALUE})")
    String schemaRegistry;

    @Option(names = "--secure", description = "run the whole stack secured: Kafka with TLS, SCRAM logins and ACLs, "
            + "the HTTP API over HTTPS with a bearer token; credentials are made up for the run and printed in the "
            + "commands it shows")
    boolean secure;

    @Override
    public Integer call() throws Exception {
        if (orders < 0 || orders > 1_000_000) {
            throw new IllegalArgumentException("--orders must be between 0 and 1000000, was " + orders);
        }
        if (instances < 1 || instances > 16) {
            throw new IllegalArgumentException("--instances must be between 1 and 16, was " + instances);
        }
        checkPort("--kafka-port", kafkaPort);
        checkPort("--http-port", httpPort);
        if (httpPort + instances - 1 > 65_535) {
            throw new IllegalArgumentException("--http-port " + httpPort + " leaves no room for " + instances
                    + " instances");
        }
        Durations.parse("--saga-timeout", sagaTimeout);
        DemoRunner.Via path = switch (via) {
            case "outbox" -> DemoRunner.Via.OUTBOX;
            case "topic" -> DemoRunner.Via.TOPIC;
            default -> throw new IllegalArgumentException("--via must be outbox or topic, was '" + via + "'");
        };
        try {
            SchemaRegistry.fromUrl(schemaRegistry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--schema-registry must be local: or one or more comma-separated "
                    + "http(s):// URLs of a Schema Registry, was '" + schemaRegistry + "'");
        }
        return new DemoRunner(new DemoRunner.Options(orders, exit, instances, kafkaPort, httpPort, dataDir,
                sagaTimeout, path, schemaRegistry, secure)).run();
    }

    private static void checkPort(String flag, int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(flag + " must be a port between 1 and 65535, was " + port);
        }
    }
}
