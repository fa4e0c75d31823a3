package io.orderflow.devtools.bench;

import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What both outbox benches run on: Kafka (embedded unless {@code --bootstrap-server}), Orderflow's topics, an
 * embedded PostgreSQL with the intake's migrations, and a Kafka Connect worker running connectors/orders-outbox.json
 * as the product ships it — plus the bench's {@code --connector-config} and {@code --worker-config} settings, so a
 * lever can be measured without editing the file.
 *
 * @param intakeProps the intake's settings for this database (JDBC as the owner, and the environment's group commit)
 * @param connector   the connector's name, RUNNING
 */
record OutboxStack(String bootstrap, LocalPostgres postgres, Properties intakeProps, EmbeddedConnect connect,
                   String connector) {

    /** Starts everything, owned by {@code lifecycle}; returns once the connector runs. */
    static OutboxStack start(Lifecycle lifecycle, BenchRunner.Options options, PrintStream err) throws IOException {
        String bootstrap = options.bootstrap();
        if (bootstrap == null) {
            err.println("Starting Kafka (KRaft, single node) ...");
            bootstrap = lifecycle.own(EmbeddedKafka.builder().start()).bootstrapServers();
        }
        Properties topics = new Properties();
        topics.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        topics.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        topics.put(InstanceConfig.PARTITIONS, Integer.toString(options.partitions()));
        topics.put(InstanceConfig.REPLICATION_FACTOR, options.bootstrap() == null ? "1" : "3");
        TopicSetup.ensure(topics, Duration.ofSeconds(30));

        Path base = lifecycle.own(TempDir.create("orderflow-bench-outbox-")).path();
        err.println("Starting PostgreSQL (embedded binaries, wal_level=logical) ...");
        LocalPostgres postgres = lifecycle.own(LocalPostgres.builder().dataDir(base.resolve("postgres")).start());
        Properties intakeProps = new Properties();
        intakeProps.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        intakeProps.put(IntakeConfig.JDBC_USER, postgres.user());
        intakeProps.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        intakeProps.put(IntakeConfig.POOL_SIZE, Integer.toString(Math.max(10, options.clients())));
        // The intake's pool, group commit and outbox mode can be varied from outside, as for `saga intake`:
        // ORDERFLOW_INTAKE_JDBC_POOL_SIZE, ORDERFLOW_INTAKE_BATCH_MAX, ORDERFLOW_INTAKE_BATCH_WRITERS,
        // ORDERFLOW_INTAKE_OUTBOX_MODE.
        Map<String, String> tuning = new HashMap<>();
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("ORDERFLOW_INTAKE_BATCH_") || name.equals("ORDERFLOW_INTAKE_JDBC_POOL_SIZE")
                    || name.equals("ORDERFLOW_INTAKE_OUTBOX_MODE")) {
                tuning.put(name, value);
            }
        });
        InstanceConfig.applyEnvironment(intakeProps, tuning);
        // The connector needs the outbox table and its publication before it starts.
        IntakeService.migrate(IntakeConfig.from(intakeProps));

        err.println("Starting Kafka Connect with Debezium's outbox connector ...");
        Path file = Path.of(System.getProperty("orderflow.home", ".")).resolve("connectors/orders-outbox.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("cannot find " + file + "; run ./saga from the repository");
        }
        EmbeddedConnect.Builder worker = EmbeddedConnect.builder(bootstrap);
        options.workerConfig().forEach(worker::workerConfig);
        EmbeddedConnect connect = lifecycle.own(worker.start());
        Map<String, String> overrides = new LinkedHashMap<>(postgres.debeziumConnection());
        overrides.putAll(options.connectorConfig());
        String name = connect.registerConnector(file, overrides);
        connect.awaitRunning(name, Duration.ofSeconds(120));
        if (!options.connectorConfig().isEmpty() || !options.workerConfig().isEmpty()) {
            err.println("Connector settings over connectors/orders-outbox.json: " + options.connectorConfig()
                    + "; worker settings: " + options.workerConfig());
        }
        return new OutboxStack(bootstrap, postgres, intakeProps, connect, name);
    }

    /** A read_committed consumer of every partition of {@code order.events}, at its end. */
    KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return BenchRunner.atEnd(new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                Topics.ORDER_EVENTS.name());
    }
}
