package io.orderflow.devtools.it;

import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.OrderflowConfig;
import kafka.admin.ConfigCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The secured Kafka of {@code docker-compose.yml}, run here without Docker: the same scripts and files on one real
 * node on loopback. {@code deploy/kafka/secrets.sh} makes the keys and passwords (with the JDK's keytool, as the
 * kafka-secrets service does); {@code deploy/kafka/broker.sh} writes the node's configuration from
 * {@code deploy/kafka/server.properties} (Kafka's own start and format scripts, which need a Kafka distribution, are
 * replaced by recorders; the node then runs in this JVM from exactly that file, with only what a single node on
 * loopback must change: host names, ports, directories, replication 1); {@code deploy/kafka/init.sh} adds the SCRAM
 * users and the ACLs of {@code deploy/kafka/acls} (its {@code kafka-configs}/{@code kafka-acls} calls recorded, then
 * run by Kafka's own command classes). Then an Orderflow instance with {@code deploy/config/instance-1.properties}
 * and a Connect worker with {@code deploy/connect/worker.properties}, both reading their password through Kafka's
 * FileConfigProvider from the files kafka-secrets wrote, do their work as User:orderflow and User:connect.
 */
class ComposeKafkaIntegrationTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(180);
    private static final String TOKEN = "compose-test-token-4c1d9e7a0b";

    @Test
    void shouldRunOrderflowAndConnectOnTheComposeClusterWhenItsScriptsAndFilesAreUsedAsWritten(@TempDir Path dir)
            throws Exception {
        // Given the secrets kafka-secrets makes, one directory per party
        Path secrets = dir.resolve("secrets");
        String made = bash(dir, Map.of(), ROOT.resolve("deploy/kafka/secrets.sh").toString(), secrets.toString());
        assertThat(made).contains("kafka-secrets: made the CA");
        for (String party : List.of("kafka-1", "kafka-2", "kafka-3", "kafka-admin", "orderflow", "connect",
                "schema-registry")) {
            assertThat(secrets.resolve(party).resolve("ca.crt")).as(party).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve(party))))
                    .as("%s is its owner's only", party).isEqualTo("rwx------");
        }
        // (run again, it keeps them)
        byte[] keystore = Files.readAllBytes(secrets.resolve("kafka-1/keystore.p12"));
        assertThat(bash(dir, Map.of(), ROOT.resolve("deploy/kafka/secrets.sh").toString(), secrets.toString()))
                .contains("kept");
        assertThat(Files.readAllBytes(secrets.resolve("kafka-1/keystore.p12"))).isEqualTo(keystore);

        // And node kafka-1's configuration as broker.sh writes it, made to run alone on loopback
        int[] ports = {BrokerFixture.freePort(), BrokerFixture.freePort(), BrokerFixture.freePort(),
                BrokerFixture.freePort()};
        Path kafkaHome = recorders(dir.resolve("kafka-home"), "kafka-storage.sh", "kafka-server-start.sh",
                "kafka-configs.sh", "kafka-acls.sh");
        Path written = dir.resolve("server.properties");
        bash(dir, Map.of("NODE_ID", "1", "NODE_HOST", "kafka-1", "EXTERNAL_PORT", Integer.toString(ports[3]),
                        "CLUSTER_ID", "tGhmktAwQrKYKm5XwwRAAw", "KAFKA_HOME", kafkaHome.toString(),
                        "SERVER_TEMPLATE", ROOT.resolve("deploy/kafka/server.properties").toString(),
                        "SERVER_CONFIG", written.toString()),
                ROOT.resolve("deploy/kafka/broker.sh").toString());
        assertThat(recorded(kafkaHome)).containsExactly(
                List.of("kafka-storage.sh", "format", "--config", written.toString(), "--cluster-id",
                        "tGhmktAwQrKYKm5XwwRAAw", "--ignore-formatted"),
                List.of("kafka-server-start.sh", written.toString()));
        Properties node = load(written);
        assertThat(node.getProperty("listener.security.protocol.map")).doesNotContain("PLAINTEXT");
        Path nodeConfig = alone(node, secrets.resolve("kafka-1"), dir.resolve("kafka-data"), ports, dir);

        try (EmbeddedKafka kafka = EmbeddedKafka.fromConfigFile(nodeConfig, "localhost:" + ports[2])) {
            // When kafka-init adds the users and the ACLs as the administrator (mutual TLS on INTERNAL)
            Path admin = localCopy(secrets.resolve("kafka-admin"), dir.resolve("admin.properties"));
            Files.delete(kafkaHome.resolve("calls"));
            String init = bash(dir, Map.of("SECRETS_DIR", secrets.resolve("kafka-admin").toString(),
                            "ACLS_FILE", ROOT.resolve("deploy/kafka/acls").toString(),
                            "BOOTSTRAP", "localhost:" + ports[0], "KAFKA_HOME", kafkaHome.toString()),
                    ROOT.resolve("deploy/kafka/init.sh").toString());
            assertThat(init).contains("credential of User:orderflow set").contains("credential of User:connect set")
                    .contains("credential of User:schema-registry set").contains("credential of User:verify set");
            for (String user : List.of("orderflow", "connect", "schema-registry", "verify")) {
                assertThat(init).doesNotContain(Files.readString(secrets.resolve("kafka-admin/" + user + ".password"))
                        .trim());
            }
            int acls = replay(recorded(kafkaHome), "localhost:" + ports[0], secrets.resolve("kafka-admin"), admin);
            assertThat(acls).isEqualTo(28 + 6 + 26 + 2);

            // Then an instance configured by deploy/config/instance-1.properties runs its sagas as User:orderflow
            Properties instanceProps = InstanceConfig.load(ROOT.resolve("deploy/config/instance-1.properties"),
                    Map.of("ORDERFLOW_HTTP_AUTH_TOKENS", "compose-test read,write " + TOKEN));
            assertThat(instanceProps.getProperty("sasl.jaas.config")).startsWith("${file:");
            localInstance(instanceProps, secrets.resolve("orderflow"), "localhost:" + ports[2], dir);
            try (OrderflowInstance instance = BrokerFixture.start(instanceProps);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(client(admin, ports[0]),
                         new StringSerializer(), new ByteArraySerializer())) {
                BrokerFixture.deposit(producer, "c-compose", 1_000);
                BrokerFixture.adjust(producer, "s-compose", 10);
                producer.flush();
                BrokerFixture.place(producer, "o-compose-1", "c-compose", new OrderLine("s-compose", 2, 100L));
                producer.flush();
                HttpResponse<String> order = get(instance, "/orders/o-compose-1?waitFor=TERMINAL&timeout=60s", TOKEN);
                assertThat(order.statusCode()).as(order.body()).isEqualTo(200);
                assertThat(order.body()).contains("\"status\":\"CONFIRMED\"");
                assertThat(get(instance, "/orders/o-compose-1", null).statusCode()).isEqualTo(401);
                // (every read model caught up before the instance stops, as verify expects)
                await().atMost(Duration.ofSeconds(30)).until(() -> get(instance, "/customers/c-compose/orders", TOKEN)
                        .body().contains("\"CONFIRMED\":1"));
            }

            // And saga verify from the host, as the README shows it: User:verify's settings and the CA copied into
            // the working directory, the EXTERNAL listener, read-only ACLs; every invariant holds
            Path host = Files.createDirectories(dir.resolve("host"));
            Files.copy(secrets.resolve("kafka-admin/verify.properties"), host.resolve("verify.properties"));
            Files.copy(secrets.resolve("kafka-admin/ca.crt"), host.resolve("ca.crt"));
            // (its own JVM, in that directory: the trust store's path in the file is relative)
            Process verify = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.orderflow.devtools.Main", "verify",
                    "--bootstrap-server", "localhost:" + ports[3], "--command-config", "verify.properties",
                    "--timeout", "30s")
                    .directory(host.toFile()).redirectErrorStream(true)
                    .redirectOutput(host.resolve("verify.log").toFile()).start();
            assertThat(verify.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(verify.exitValue()).as(Files.readString(host.resolve("verify.log"))).isZero();
            assertThat(Files.readString(host.resolve("verify.log"))).contains("OK");

            // And a Connect worker configured by deploy/connect/worker.properties joins its group as User:connect
            EmbeddedConnect.Builder worker = EmbeddedConnect.builder("localhost:" + ports[2]);
            Properties workerProps = InstanceConfig.load(ROOT.resolve("deploy/connect/worker.properties"), Map.of());
            int security = 0;
            for (String key : workerProps.stringPropertyNames()) {
                if (key.matches("((producer|consumer|admin)\\.)?(security|ssl|sasl)\\..*|config\\.providers.*")) {
                    worker.workerConfig(key, workerProps.getProperty(key)
                            .replace("/etc/orderflow-connect/secrets", secrets.resolve("connect").toString()));
                    security++;
                }
            }
            assertThat(security).isEqualTo(2 + 4 * 5);
            try (EmbeddedConnect connect = worker.start()) {
                assertThat(connect.restUrl()).isNotBlank();
            }

            // And without a login, or with another user's password, the client listener gives nothing
            Properties stranger = new Properties();
            stranger.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + ports[2]);
            stranger.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            stranger.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
            try (Admin plain = Admin.create(stranger)) {
                assertThatThrownBy(() -> plain.listTopics().names().get(20, TimeUnit.SECONDS))
                        .isInstanceOfAny(ExecutionException.class, TimeoutException.class);
            }
            Properties wrong = new Properties();
            wrong.putAll(instanceProps);
            wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"orderflow\" password=\"not-the-password\";");
            Properties wrongClient = new Properties();
            for (String key : List.of("bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config",
                    "ssl.truststore.type", "ssl.truststore.location")) {
                wrongClient.put(key, wrong.getProperty(key));
            }
            try (Admin intruder = Admin.create(wrongClient)) {
                assertThatThrownBy(() -> intruder.listTopics().names().get(20, TimeUnit.SECONDS))
                        .hasMessageContaining("Authentication failed");
            }
        }
    }

    /** The node's configuration with what one node on loopback must change; everything else as broker.sh wrote it. */
    private static Path alone(Properties node, Path nodeSecrets, Path data, int[] ports, Path dir) throws IOException {
        Properties props = new Properties();
        for (String key : node.stringPropertyNames()) {
            props.put(key, node.getProperty(key).replace("/etc/kafka/secrets", nodeSecrets.toString()));
        }
        props.put("listeners", "INTERNAL://localhost:" + ports[0] + ",CONTROLLER://localhost:" + ports[1]
                + ",CLIENT://localhost:" + ports[2] + ",EXTERNAL://localhost:" + ports[3]);
        props.put("advertised.listeners", "INTERNAL://localhost:" + ports[0] + ",CLIENT://localhost:" + ports[2]
                + ",EXTERNAL://localhost:" + ports[3]);
        assertThat(props.getProperty("controller.quorum.voters")).startsWith("1@kafka-1:9093,");
        props.put("controller.quorum.voters", "1@localhost:" + ports[1]);
        props.put("log.dirs", data.toString());
        for (String key : List.of("default.replication.factor", "min.insync.replicas", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "transaction.state.log.min.isr")) {
            assertThat(props).containsKey(key);
            props.put(key, "1");
        }
        props.put("group.initial.rebalance.delay.ms", "0");
        Path file = dir.resolve("node-alone.properties");
        try (Writer writer = Files.newBufferedWriter(file)) {
            props.store(writer, "compose node kafka-1, alone on loopback");
        }
        return file;
    }

    /** The instance's settings with what runs here instead of in a container. */
    private static void localInstance(Properties props, Path orderflowSecrets, String bootstrap, Path dir) {
        for (String key : props.stringPropertyNames()) {
            props.put(key, props.getProperty(key).replace("/run/secrets/kafka", orderflowSecrets.toString()));
        }
        assertThat(props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("kafka-1:9094,kafka-2:9094,kafka-3:9094");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        props.put(InstanceConfig.REPLICATION_FACTOR, "1");
        props.put("num.standby.replicas", "0");
        int port = BrokerFixture.freePort();
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
        props.put(InstanceConfig.ADVERTISED, "127.0.0.1:" + port);
    }

    /** The administrator's client settings kafka-secrets wrote, with the paths of this machine. */
    private static Path localCopy(Path adminSecrets, Path file) throws IOException {
        Files.writeString(file, Files.readString(adminSecrets.resolve("client.properties"))
                .replace("/etc/kafka/secrets", adminSecrets.toString()));
        return file;
    }

    private static Properties client(Path adminConfig, int internalPort) throws IOException {
        Properties props = load(adminConfig);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + internalPort);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /**
     * Runs the recorded {@code kafka-configs} and {@code kafka-acls} calls with Kafka's own command classes, on this
     * node and with the administrator's settings of this machine; returns how many ACL commands ran.
     */
    private static int replay(List<List<String>> calls, String bootstrap, Path adminSecrets, Path adminConfig) {
        Exit.setExitProcedure((status, message) -> {
            if (status != 0) {
                throw new IllegalStateException("the command exited with " + status + ": " + message);
            }
        });
        int acls = 0;
        try {
            for (List<String> call : calls) {
                String[] args = call.subList(1, call.size()).stream()
                        .map(arg -> arg.equals("kafka-1:9092,kafka-2:9092,kafka-3:9092") ? bootstrap : arg)
                        .map(arg -> arg.equals("/etc/kafka/secrets/client.properties")
                                || arg.equals(adminSecrets.resolve("client.properties").toString())
                                ? adminConfig.toString() : arg)
                        .toArray(String[]::new);
                switch (call.get(0)) {
                    case "kafka-configs.sh" -> ConfigCommand.main(args);
                    case "kafka-acls.sh" -> {
                        AclCommand.main(args);
                        acls++;
                    }
                    default -> throw new AssertionError("unexpected call " + call);
                }
            }
        } finally {
            Exit.resetExitProcedure();
        }
        return acls;
    }

    /** A directory with a {@code bin/} of scripts that record how they were called, one per line, in {@code calls}. */
    private static Path recorders(Path home, String... names) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        for (String name : names) {
            Path script = home.resolve("bin").resolve(name);
            Files.writeString(script, "#!/bin/bash\nprintf '%s' '" + name + "' >> '" + home.resolve("calls")
                    + "'\nfor a in \"$@\"; do printf '\\t%s' \"$a\" >> '" + home.resolve("calls") + "'; done\n"
                    + "printf '\\n' >> '" + home.resolve("calls") + "'\n");
            script.toFile().setExecutable(true);
        }
        return home;
    }

    private static List<List<String>> recorded(Path home) throws IOException {
        List<List<String>> calls = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("calls"))) {
            calls.add(Arrays.asList(line.split("\t")));
        }
        return calls;
    }

    /** Runs {@code bash args} with {@code env}, waits (bounded) and returns its output; fails on a non-zero exit. */
    private static String bash(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("script.log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(args[0] + " did not finish within " + SCRIPT_TIMEOUT);
        }
        String output = Files.readString(dir.resolve("script.log"));
        assertThat(process.exitValue()).as("%s: %s", args[0], output).isZero();
        return output;
    }

    private static Properties load(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        }
        return props;
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path, String token) throws Exception {
        return InstanceHttp.get(instance, path, token);
    }
}
