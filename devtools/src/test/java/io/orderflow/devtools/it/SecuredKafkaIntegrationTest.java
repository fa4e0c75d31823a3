package io.orderflow.devtools.it;

import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.SelfSignedCertificate;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.Topics;
import io.orderflow.verify.VerifyFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.AclCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Orderflow on a broker secured as production clusters are — TLS, SCRAM-SHA-512 logins, Kafka's
 * {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false} — with exactly the ACLs
 * {@code saga acls} prints, applied by Kafka's own {@code kafka-acls} tool ({@link AclCommand}, what
 * {@code kafka-acls.sh} runs): an instance runs sagas to the end as the streams principal, {@code saga verify} is OK
 * as the verify principal, a principal without ACLs is refused at start with the permission named, and a client
 * without credentials is refused.
 */
class SecuredKafkaIntegrationTest {
    private static final String ADMIN_PASSWORD = "Adm1n-pw-4c8e2b";
    private static final String APP_PASSWORD = "App-pw-9d1f3a7c";
    private static final String VERIFY_PASSWORD = "Ver1fy-pw-6b2e8d";
    private static final String NOBODY_PASSWORD = "N0body-pw-3a7c1e";
    private static final String CONNECT_PASSWORD = "C0nnect-pw-5e9a";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldRunSagasAndVerifyWithExactlyThePrintedAclsAndRefuseWhoHasNone(@TempDir Path dir) throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "St0re-pw-2f6a");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder()
                .secured(new EmbeddedKafka.Security(certificate, ADMIN_PASSWORD)).start();
             Admin admin = Admin.create(client(kafka, kafka.adminProperties()))) {
            String bootstrap = kafka.bootstrapServers();
            admin.alterUserScramCredentials(List.of(user("orderflow-app", APP_PASSWORD),
                    user("orderflow-verify", VERIFY_PASSWORD), user("nobody", NOBODY_PASSWORD))).all()
                    .get(30, TimeUnit.SECONDS);
            Path adminConfig = write(dir.resolve("admin.properties"), kafka.adminProperties());

            // Given the ACLs saga acls prints for each role, applied with Kafka's own kafka-acls tool
            int commands = applyPrinted(bootstrap, adminConfig, "User:orderflow-app", "streams")
                    + applyPrinted(bootstrap, adminConfig, "User:orderflow-verify", "verify");
            // (9 Orderflow topics, 17 internal ones by name, the group and the transactional ids; read-only: 9 + 17)
            assertThat(commands).isEqualTo(28 + 26);

            // When an instance runs as the streams principal, creating Orderflow's topics itself
            Properties props = BrokerFixture.instanceProps(bootstrap, dir.resolve("state"), 3);
            props.putAll(kafka.clientProperties("orderflow-app", APP_PASSWORD));
            try (OrderflowInstance instance = BrokerFixture.start(props);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                         client(kafka, kafka.adminProperties()), new StringSerializer(), new ByteArraySerializer())) {
                BrokerFixture.deposit(producer, "c1", 1_000_000);
                BrokerFixture.adjust(producer, "s1", 100);
                producer.flush();
                for (int i = 0; i < 5; i++) {
                    BrokerFixture.place(producer, "sec-" + i, "c1", new OrderLine("s1", 1, 10L));
                }
                producer.flush();

                // Then its sagas run to the end
                for (int i = 0; i < 5; i++) {
                    HttpResponse<String> order = get(instance, "/orders/sec-" + i + "?waitFor=TERMINAL&timeout=60s");
                    assertThat(order.statusCode()).as(order.body()).isEqualTo(200);
                    assertThat(order.body()).contains("\"status\":\"CONFIRMED\"");
                }
                // (and every read model has caught up before the instance stops, as verify expects)
                await().atMost(Duration.ofSeconds(30)).until(() -> get(instance, "/customers/c1/orders").body()
                        .contains("\"CONFIRMED\":5"));
            }

            // And saga verify, as the verify principal with its read-only ACLs, finds every invariant held
            Path verifyConfig = write(dir.resolve("verify.properties"),
                    kafka.clientProperties("orderflow-verify", VERIFY_PASSWORD));
            VerifyFixture.Result verify = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap,
                    "--command-config", verifyConfig.toString(), "--timeout", "30s");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();

            // And a principal without ACLs is refused at start, the missing permission named
            Properties nobody = BrokerFixture.instanceProps(bootstrap, dir.resolve("nobody"), 3);
            nobody.putAll(kafka.clientProperties("nobody", NOBODY_PASSWORD));
            assertThatThrownBy(() -> BrokerFixture.start(nobody))
                    .hasMessageContaining("not authorized")
                    .hasMessageContaining("saga acls");

            // And a principal missing one of them (the group) stops at start, naming it, instead of retrying forever
            admin.alterUserScramCredentials(List.of(user("partial", NOBODY_PASSWORD))).all().get(30, TimeUnit.SECONDS);
            applyPrinted(bootstrap, adminConfig, "User:partial", "streams");
            admin.deleteAcls(List.of(new org.apache.kafka.common.acl.AclBindingFilter(
                    new org.apache.kafka.common.resource.ResourcePatternFilter(
                            org.apache.kafka.common.resource.ResourceType.GROUP, "orderflow",
                            org.apache.kafka.common.resource.PatternType.LITERAL),
                    new org.apache.kafka.common.acl.AccessControlEntryFilter("User:partial", null,
                            org.apache.kafka.common.acl.AclOperation.ANY,
                            org.apache.kafka.common.acl.AclPermissionType.ANY)))).all().get(30, TimeUnit.SECONDS);
            Properties partial = BrokerFixture.instanceProps(bootstrap, dir.resolve("partial"), 3);
            partial.putAll(kafka.clientProperties("partial", NOBODY_PASSWORD));
            long started = System.nanoTime();
            assertThatThrownBy(() -> BrokerFixture.start(partial))
                    .hasMessageContaining("orderflow")
                    .hasMessageContaining("uthorization");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BrokerFixture.STARTUP);

            // And a client without credentials, or with a wrong password, gets nothing
            Properties wrong = client(kafka, kafka.clientProperties("orderflow-app", "not-the-password"));
            try (Admin intruder = Admin.create(wrong)) {
                assertThatThrownBy(() -> intruder.listTopics().names().get(20, TimeUnit.SECONDS))
                        .hasMessageContaining("Authentication failed");
            }
            Properties plain = client(kafka, new Properties());
            plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
            try (Admin stranger = Admin.create(plain)) {
                assertThatThrownBy(() -> stranger.listTopics().names().get(20, TimeUnit.SECONDS))
                        .isInstanceOfAny(java.util.concurrent.ExecutionException.class,
                                java.util.concurrent.TimeoutException.class);
            }
        }
    }

    @Test
    void shouldPublishTheOutboxWithExactlyThePrintedConnectAcls(@TempDir Path dir) throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "St0re-pw-8e1c");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder()
                .secured(new EmbeddedKafka.Security(certificate, ADMIN_PASSWORD)).start();
             Admin admin = Admin.create(client(kafka, kafka.adminProperties()));
             io.orderflow.devtools.embedded.LocalPostgres postgres =
                     io.orderflow.devtools.embedded.LocalPostgres.builder().start()) {
            // Given the connect principal with exactly the ACLs saga acls prints for it, order.events made by its
            // owner (an instance creates it), and the intake's tables
            String bootstrap = kafka.bootstrapServers();
            admin.alterUserScramCredentials(List.of(user("connect", CONNECT_PASSWORD))).all().get(30, TimeUnit.SECONDS);
            Path adminConfig = write(dir.resolve("admin.properties"), kafka.adminProperties());
            assertThat(applyPrinted(bootstrap, adminConfig, "User:connect", "connect")).isEqualTo(6);
            io.orderflow.server.runtime.KafkaTopics.ensure(admin, List.of(Topics.ORDER_EVENTS.name()), 3, (short) 1,
                    Duration.ofSeconds(30));
            // (the heartbeat topic up front, as connectors/README.md asks; the role may create it too)
            io.orderflow.server.runtime.KafkaTopics.ensure(admin, List.of("__debezium-heartbeat.orderflow"), 1,
                    (short) 1, Duration.ofSeconds(30));
            org.flywaydb.core.Flyway.configure().dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
                    .locations("classpath:db/migration").load().migrate();

            // When a Connect worker logs in as it and runs the outbox connector (exactly-once source)
            EmbeddedConnect.Builder worker = EmbeddedConnect.builder(bootstrap);
            Properties login = kafka.clientProperties("connect", CONNECT_PASSWORD);
            for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
                login.forEach((key, value) -> worker.workerConfig(prefix + key, (String) value));
            }
            try (EmbeddedConnect connect = worker.start()) {
                Path connector = Path.of("").toAbsolutePath().getParent().resolve("connectors/orders-outbox.json");
                connect.registerConnector(connector, postgres.debeziumConnection());
                connect.awaitRunning("orders-outbox", Duration.ofSeconds(90));
                try (java.sql.Connection db = postgres.connect();
                     java.sql.PreparedStatement insert = db.prepareStatement("INSERT INTO outbox (id, aggregatetype, "
                             + "aggregateid, type, payload) VALUES (?, 'order', 'o-sec-1', 'OrderPlaced', ?::jsonb)")) {
                    insert.setObject(1, java.util.UUID.randomUUID());
                    insert.setString(2, "{\"type\":\"OrderPlaced\",\"orderId\":\"o-sec-1\",\"customerId\":\"c1\","
                            + "\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":5}]}");
                    insert.executeUpdate();
                }

                // Then the row reaches order.events
                Properties read = client(kafka, kafka.adminProperties());
                read.put("isolation.level", "read_committed");
                try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
                             new org.apache.kafka.clients.consumer.KafkaConsumer<>(read,
                                     new org.apache.kafka.common.serialization.StringDeserializer(),
                                     new org.apache.kafka.common.serialization.StringDeserializer())) {
                    List<org.apache.kafka.common.TopicPartition> partitions = consumer
                            .partitionsFor(Topics.ORDER_EVENTS.name()).stream()
                            .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    List<String> keys = new java.util.ArrayList<>();
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                        return keys.contains("o-sec-1");
                    });
                }
            }
        }
    }

    @Test
    void shouldRunSagasWithAClientCertificateAsTheLoginAndRefuseAnUntrustedCertificate(@TempDir Path dir)
            throws Exception {
        // Given a broker that takes client certificates as logins, trusting the app's and not a stranger's
        SelfSignedCertificate broker = SelfSignedCertificate.create(dir, "St0re-pw-0d4f");
        SelfSignedCertificate app = SelfSignedCertificate.create(dir, "app", "orderflow-app", "App-st0re-7b2c");
        SelfSignedCertificate stranger = SelfSignedCertificate.create(dir, "stranger", "orderflow-app",
                "Str-st0re-3e5a");
        broker.trust(app);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().secured(EmbeddedKafka.Security.mutualTls(broker)).start();
             Admin admin = Admin.create(client(kafka, kafka.adminProperties()))) {
            String bootstrap = kafka.bootstrapServers();
            Path adminConfig = write(dir.resolve("admin.properties"), kafka.adminProperties());
            applyPrinted(bootstrap, adminConfig, "User:CN=orderflow-app", "streams");

            // When an instance logs in with the app's certificate
            Properties props = BrokerFixture.instanceProps(bootstrap, dir.resolve("state"), 3);
            props.putAll(kafka.clientProperties(app));
            try (OrderflowInstance instance = BrokerFixture.start(props);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                         client(kafka, kafka.adminProperties()), new StringSerializer(), new ByteArraySerializer())) {
                BrokerFixture.deposit(producer, "c1", 1_000_000);
                BrokerFixture.adjust(producer, "s1", 100);
                BrokerFixture.place(producer, "mtls-1", "c1", new OrderLine("s1", 1, 10L));
                producer.flush();

                // Then its saga runs to the end
                HttpResponse<String> order = get(instance, "/orders/mtls-1?waitFor=TERMINAL&timeout=60s");
                assertThat(order.body()).contains("\"status\":\"CONFIRMED\"");
            }

            // And a certificate the broker does not trust (even with the same name) is refused at the handshake
            Properties untrusted = client(kafka, kafka.clientProperties(stranger));
            untrusted.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            untrusted.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
            try (Admin intruder = Admin.create(untrusted)) {
                assertThatThrownBy(() -> intruder.listTopics().names().get(20, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            }
            // And the broker still serves the trusted
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).contains(Topics.ORDER_EVENTS.name());
        }
    }

    /** Runs {@code saga acls}, then each command it printed through {@link AclCommand}; returns how many. */
    private static int applyPrinted(String bootstrap, Path adminConfig, String principal, String role) {
        VerifyFixture.Result printed = VerifyFixture.saga("acls", "--principal", principal, "--role", role,
                "--bootstrap-server", bootstrap, "--command-config", adminConfig.toString());
        assertThat(printed.code()).as(printed.err()).isZero();
        List<String> lines = printed.out().lines().filter(l -> !l.isBlank()).toList();
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("kafka-acls exited with " + status + ": " + message);
        });
        try {
            for (String line : lines) {
                List<String> words = Arrays.asList(line.split(" "));
                assertThat(words.get(0)).isEqualTo("kafka-acls.sh");
                AclCommand.main(words.subList(1, words.size()).toArray(String[]::new));
            }
        } finally {
            Exit.resetExitProcedure();
        }
        return lines.size();
    }

    private static UserScramCredentialUpsertion user(String name, String password) {
        return new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                password);
    }

    private static Properties client(EmbeddedKafka kafka, Properties security) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(security);
        return props;
    }

    private static Path write(Path file, Properties props) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file)) {
            props.store(writer, null);
        }
        return file;
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort() + path))
                .timeout(Duration.ofSeconds(70)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
