package io.orderflow.server.cli;

import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code run}: one Orderflow instance (Kafka Streams and the HTTP API) against an existing cluster. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run one Orderflow instance against your Kafka cluster.",
                "%nAn instance is Kafka Streams and the HTTP API. Missing topics are created with partitions and "
                        + "replication.factor.",
                "%n" + RunCommand.KEYS,
                "%nEnvironment variables override the keys: ORDERFLOW_BOOTSTRAP_SERVERS overrides bootstrap.servers, "
                        + "ORDERFLOW_HTTP_PORT overrides http.port, and so on."})
public final class RunCommand implements Callable<Integer> {
    /** The settings, for {@code --help}; every declared one (InstanceSettingsDocumentedTest checks). */
    public static final String KEYS = "Keys (defaults in docs/operations.md, Configuration):"
            + "%n  bootstrap.servers (required), schema.registry.url, state.dir,"
            + "%n  http.port, http.host, application.server, partitions, replication.factor,"
            + "%n  http.auth (tokens|none, required), http.auth.tokens.file, http.auth.tokens,"
            + "%n  http.auth.metrics, http.tls.keystore.path, http.tls.keystore.password,"
            + "%n  http.tls.keystore.type, http.tls.truststore.path,"
            + "%n  http.tls.truststore.password,"
            + "%n  num.stream.threads, num.standby.replicas,"
            + "%n  saga.timeout, saga.deadline.scan.interval, saga.retention,"
            + "%n  saga.retention.scan.interval, dedupe.ttl,"
            + "%n  and any Kafka Streams or client setting.";

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "instance properties file")
    Path config;

    @Option(names = "--startup-timeout", defaultValue = "120s", paramLabel = "DURATION",
            description = "how long to wait for Kafka Streams to be RUNNING (default ${DEFAULT-VALUE})")
    String startupTimeout;

    @Override
    public Integer call() throws Exception {
        Properties props = InstanceConfig.load(config, System.getenv());
        Duration timeout = Durations.parse("--startup-timeout", startupTimeout);
        InstanceConfig.required(props, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        // Refuse before touching Kafka when authentication is not chosen or a key store cannot be opened.
        Map<String, Object> settings = InstanceConfig.values(props);
        HttpAuth.from(settings);
        HttpTls tls = HttpTls.from(settings);
        TopicSetup.ensure(props, Duration.ofSeconds(30));
        try (Lifecycle lifecycle = new Lifecycle()) {
            OrderflowInstance instance = lifecycle.own(OrderflowInstance.start(props, timeout));
            System.out.println("Orderflow instance running: " + tls.scheme().toUpperCase(java.util.Locale.ROOT)
                    + " on port " + instance.httpPort() + ", advertised as "
                    + instance.self().host() + ":" + instance.self().port() + ", Kafka at "
                    + props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ". Ctrl-C stops it.");
            lifecycle.awaitShutdown();
        }
        return 0;
    }
}
