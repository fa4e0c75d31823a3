package io.orderflow.devtools.embedded;

import io.orderflow.intake.IntakeService;
import io.orderflow.server.runtime.KafkaTopics;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.flywaydb.core.Flyway;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The outbox path end to end on real components, all in this JVM: PostgreSQL (logical decoding)
 * → Kafka Connect with Debezium's PostgreSQL connector and outbox {@code EventRouter}, configured by
 * {@code connectors/orders-outbox.json} → {@code order.events} on a KRaft broker, read back with
 * the same {@link IngressReader} the saga uses. The schema is the intake's own, from its Flyway
 * migrations, with their roles: Debezium logs in as a {@code LOGIN REPLICATION} user granted only
 * {@code orderflow_outbox_reader}, and the rows are written as a user granted only
 * {@code orderflow_intake_writer}.
 */
class OutboxCdcIntegrationTest {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxCdcIntegrationTest.class);

    /** The file operators register against their Connect cluster; the test registers it unchanged. */
    static final Path CONNECTOR_FILE =
        Path.of("").toAbsolutePath().getParent().resolve("connectors").resolve("orders-outbox.json");
    static final String CONNECTOR = "orders-outbox";
    static final String ORDER_EVENTS = Topics.ORDER_EVENTS.name();
    /**
     * Debezium's heartbeat topic for topic.prefix "orderflow". Created up front, as connectors/README.md asks:
     * Connect would create it on the first heartbeat, and a transactional producer that writes
     * to a partition in the moment it is created gets NOT_LEADER_OR_FOLLOWER retries.
     */
    static final String HEARTBEAT_TOPIC = "__debezium-heartbeat.orderflow";

    /** The intake's Flyway migrations: the outbox table exactly as production has it. */
    static final String INTAKE_MIGRATIONS = "classpath:db/migration";

    static final Duration CONNECTOR_START = Duration.ofSeconds(60);
    /** Debezium's login: LOGIN REPLICATION, granted orderflow_outbox_reader; and the intake's, granted the writer. */
    static final String CDC_LOGIN = "orderflow_cdc";
    static final String CDC_PASSWORD = "cdc-password";
    static final String INTAKE_LOGIN = "orderflow_intake";
    static final String INTAKE_PASSWORD = "intake-password";
    static final Duration DELIVERY = Duration.ofSeconds(20);

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static LocalPostgres postgres;
    private static EmbeddedConnect connect;

    private final IngressReader reader = new IngressReader(LocalSchemaRegistry.instance());

    @BeforeAll
    static void startPostgresAndConnect() throws Exception {
        long started = System.nanoTime();
        postgres = LocalPostgres.builder().start();
        long postgresStarted = System.nanoTime();
        Flyway.configure()
            .dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
            .locations(INTAKE_MIGRATIONS)
            .failOnMissingLocations(true)
            .load()
            .migrate();
        // Least privilege, as a deployment runs it: Debezium may only read the outbox, the intake only write it.
        postgres.createLogin(CDC_LOGIN, CDC_PASSWORD, true, IntakeService.OUTBOX_READER_ROLE);
        postgres.createLogin(INTAKE_LOGIN, INTAKE_PASSWORD, false, IntakeService.WRITER_ROLE);
        try (Admin admin = KAFKA.admin()) {
            KafkaTopics.ensure(admin, List.of(ORDER_EVENTS), 6, (short) 1, Duration.ofSeconds(30));
            KafkaTopics.ensure(admin, List.of(HEARTBEAT_TOPIC), 1, (short) 1, Duration.ofSeconds(30));
        }
        long connectStarting = System.nanoTime();
        connect = EmbeddedConnect.builder(KAFKA.bootstrapServers()).start();
        long registering = System.nanoTime();
        connect.registerConnector(CONNECTOR_FILE, postgres.debeziumConnection(CDC_LOGIN, CDC_PASSWORD));
        connect.awaitRunning(CONNECTOR, CONNECTOR_START);
        LOG.info("Measured: PostgreSQL started in {} ms, Connect worker in {} ms, connector registered and RUNNING in {} ms",
            millis(postgresStarted - started), millis(registering - connectStarting), millis(System.nanoTime() - registering));
    }

    @AfterAll
    static void stopConnectAndPostgres() {
        LOG.info("Measured: heap used {} MiB (after GC) with broker, PostgreSQL and Connect running", heapUsedMiB());
        try {
            if (connect != null) {
                long started = System.nanoTime();
                connect.close();
                LOG.info("Measured: Connect worker stopped in {} ms", millis(System.nanoTime() - started));
            }
        } finally {
            if (postgres != null) {
                long started = System.nanoTime();
                postgres.close();
                LOG.info("Measured: PostgreSQL stopped in {} ms", millis(System.nanoTime() - started));
            }
        }
    }

    @Test
    void shouldPublishEachOutboxRowOnceWhenTheIntakeDeletesItInTheSameTransaction() throws Exception {
        // Given the connector from connectors/orders-outbox.json, running against this database (see startPostgresAndConnect)
        try (KafkaConsumer<String, byte[]> consumer = consumerAtStartOf(ORDER_EVENTS)) {
            List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();

            // When the intake writes an OrderPlaced event and deletes its outbox row in one transaction
            UUID placedId = UUID.randomUUID();
            String placed = "{\"type\":\"OrderPlaced\",\"eventId\":\"" + placedId + "\",\"orderId\":\"o1\","
                + "\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":2,\"unitPrice\":1250}]}";
            try (Connection connection = postgres.connect(INTAKE_LOGIN, INTAKE_PASSWORD)) {
                connection.setAutoCommit(false);
                insertOutboxRow(connection, placedId, "o1", "OrderPlaced", placed);
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
                    delete.setObject(1, placedId);
                    assertThat(delete.executeUpdate()).isEqualTo(1);
                }
                connection.commit();
            }
            long committed = System.nanoTime();

            // Then exactly that event arrives, keyed by order, with the outbox id and type in headers
            pollUntil(consumer, received, 1);
            LOG.info("Measured: commit to record on {} in {} ms", ORDER_EVENTS, millis(System.nanoTime() - committed));
            ConsumerRecord<String, byte[]> record = received.get(0);
            assertThat(record.key()).isEqualTo("o1");
            assertThat(header(record, "id")).isEqualTo(placedId.toString());
            assertThat(header(record, "eventType")).isEqualTo("OrderPlaced");
            assertThat(record.headers()).extracting(Header::key)
                .containsExactlyInAnyOrder("id", "eventType", "traceparent");
            // written outside any trace: the header is there, empty, and the saga starts a trace of its own
            assertThat(record.headers().lastHeader("traceparent").value()).isNull();
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).startsWith("{");
            assertThat(reader.orderEvent(record.value())).isEqualTo(OrderEvent.newBuilder()
                .setEventId(placedId.toString())
                .setOrderId("o1")
                .setEvent(OrderPlaced.newBuilder()
                    .setCustomerId("c1")
                    .setCurrency("EUR")
                    .setLines(List.of(OrderLine.newBuilder().setSku("s1").setQuantity(2).setUnitPrice(1250L).build()))
                    .build())
                .build());

            // When a later event for the same order (same key, so same partition) is committed
            UUID cancelId = UUID.randomUUID();
            try (Connection connection = postgres.connect(INTAKE_LOGIN, INTAKE_PASSWORD)) {
                insertOutboxRow(connection, cancelId, "o1", "OrderCancelRequested",
                    "{\"type\":\"OrderCancelRequested\",\"eventId\":\"" + cancelId + "\",\"orderId\":\"o1\"}");
            }

            // Then it is the very next record: the DELETE produced nothing in between (no tombstone either)
            long secondCommitted = System.nanoTime();
            pollUntil(consumer, received, 2);
            LOG.info("Measured: commit to record on {} in {} ms (second event)", ORDER_EVENTS,
                millis(System.nanoTime() - secondCommitted));
            assertThat(received).hasSize(2);
            ConsumerRecord<String, byte[]> next = received.get(1);
            assertThat(next.partition()).isEqualTo(record.partition());
            assertThat(next.offset()).isGreaterThan(record.offset());
            assertThat(header(next, "id")).isEqualTo(cancelId.toString());
            assertThat(reader.orderEvent(next.value())).isEqualTo(OrderEvent.newBuilder()
                .setEventId(cancelId.toString())
                .setOrderId("o1")
                .setEvent(OrderCancelRequested.newBuilder().build())
                .build());
        }
    }

    @Test
    void shouldKeepTheReplicationSlotMovingWhenOnlyOtherTablesChange() throws Exception {
        // Given writes to a table that is not in the connector's publication (the outbox stays quiet)
        String walPosition;
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS not_captured (id bigserial PRIMARY KEY, note text)");
            for (int i = 0; i < 100; i++) {
                statement.execute("INSERT INTO not_captured (note) VALUES ('quiet outbox " + i + "')");
            }
            try (ResultSet lsn = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                assertThat(lsn.next()).isTrue();
                walPosition = lsn.getString(1);
            }
        }
        long written = System.nanoTime();

        // Then the slot confirms WAL past those writes (heartbeats and the driver's keepalive flush),
        // so PostgreSQL can recycle it instead of keeping it for the connector
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
            .until(() -> slotConfirmedPast(walPosition));
        LOG.info("Measured: replication slot confirmed WAL past unrelated writes in {} ms", millis(System.nanoTime() - written));
    }

    @Test
    void shouldRefuseAConnectorWithTheDatabaseMessageWhenItsPasswordIsWrong() {
        // Given the same connector under another name and slot, with a wrong password
        String name = "orders-outbox-wrong-password";
        Map<String, String> overrides = new HashMap<>(postgres.debeziumConnection());
        overrides.put("name", name);
        overrides.put("database.password", "not-" + postgres.password());
        overrides.put("slot.name", "orderflow_wrong_password");
        overrides.put("publication.name", "orderflow_wrong_password");

        // When it is registered and awaited
        // Then Connect refuses it at once (Debezium validates the connection while the PUT waits), naming the cause
        long started = System.nanoTime();
        try {
            Throwable failure = catchThrowable(() -> {
                connect.registerConnector(CONNECTOR_FILE, overrides);
                connect.awaitRunning(name, Duration.ofSeconds(30));
            });
            assertThat(failure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("password authentication failed");
            LOG.info("Measured: wrong password reported in {} ms: {}", millis(System.nanoTime() - started),
                failure.getMessage());
        } finally {
            connect.deleteConnector(name);
        }
    }

    @Test
    void shouldReportAFailedTaskWithItsCauseWhenTheCapturedTableDoesNotExist() {
        // Given a connector that passes validation but whose task cannot start: its table does not exist,
        // so Debezium cannot create the filtered publication
        String name = "orders-outbox-missing-table";
        Map<String, String> overrides = new HashMap<>(postgres.debeziumConnection());
        overrides.put("name", name);
        overrides.put("table.include.list", "public.no_such_outbox");
        overrides.put("slot.name", "orderflow_missing_table");
        overrides.put("publication.name", "orderflow_missing_table");
        // Debezium names its JMX metrics by topic.prefix: a second "orderflow" in this JVM would wait a minute for them.
        overrides.put("topic.prefix", "orderflow_missing_table");

        // When it is registered and awaited
        // Then awaitRunning stops as soon as the task is FAILED, with Debezium's reason
        long started = System.nanoTime();
        try {
            connect.registerConnector(CONNECTOR_FILE, overrides);
            Throwable failure = catchThrowable(() -> connect.awaitRunning(name, Duration.ofSeconds(30)));
            assertThat(failure)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Connector " + name + " FAILED: task 0: ")
                .hasMessageContaining("No table filters found for filtered publication orderflow_missing_table");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            LOG.info("Measured: failed task reported in {} ms: {}", millis(System.nanoTime() - started),
                failure.getMessage().lines().findFirst().orElse(""));
        } finally {
            connect.deleteConnector(name);
        }
    }

    private static boolean slotConfirmedPast(String walPosition) throws Exception {
        try (Connection connection = postgres.connect();
             PreparedStatement query = connection.prepareStatement(
                 "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, walPosition);
            query.setString(2, "orderflow_outbox");
            try (ResultSet result = query.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private static void insertOutboxRow(Connection connection, UUID id, String orderId, String type, String payload)
        throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, 'order', ?, ?, ?::jsonb)")) {
            insert.setObject(1, id);
            insert.setString(2, orderId);
            insert.setString(3, type);
            insert.setString(4, payload);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    private static KafkaConsumer<String, byte[]> consumerAtStartOf(String topic) {
        return consumerAtStartOf(KAFKA.bootstrapServers(), topic);
    }

    /** Reads every partition of {@code topic} from the start, committed records only (Connect writes transactionally). */
    static KafkaConsumer<String, byte[]> consumerAtStartOf(String bootstrap, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // Resolves the positions now, so the commit-to-record measurement does not include it.
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static void pollUntil(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> received,
                                  int count) {
        pollUntil(consumer, received, count, DELIVERY);
    }

    /** Polls into {@code received} until it holds {@code count} records, for at most {@code within}. */
    static void pollUntil(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> received,
                          int count, Duration within) {
        await().atMost(within).pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
            consumer.poll(Duration.ofMillis(50)).forEach(received::add);
            return received.size() >= count;
        });
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        assertThat(header).as("header %s of %s", key, record).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long heapUsedMiB() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
