package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox path end to end with real parts: orders posted over HTTP are written with their outbox rows to a real
 * PostgreSQL, published by Debezium's EventRouter on a real Kafka Connect worker, and carried through the saga —
 * with the Connect worker restarted while orders keep coming. Nothing is lost and nothing is doubled.
 */
class OutboxEndToEndIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\":\"([^\"]+)\"");
    private static final int ORDERS = 30;

    @Test
    void shouldCarryEveryPostedOrderToOneTerminalStatusWhenConnectRestartsMidStream(@TempDir Path state)
            throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path connector = Path.of("").toAbsolutePath().getParent().resolve("connectors/orders-outbox.json");
        try (LocalPostgres postgres = LocalPostgres.builder().start();
             IntakeService intake = IntakeService.start(intakeConfig(postgres));
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            Properties props = BrokerFixture.instanceProps(bootstrap, state, 3);
            io.orderflow.server.runtime.TopicSetup.ensure(props, Duration.ofSeconds(30));
            EmbeddedConnect connect = EmbeddedConnect.builder(bootstrap).start();
            try (OrderflowInstance instance = OrderflowInstance.start(props, BrokerFixture.STARTUP,
                    config -> IntakeRoutes.register(config, intake))) {
                String name = connect.registerConnector(connector, postgres.debeziumConnection());
                connect.awaitRunning(name, Duration.ofSeconds(120));
                String base = "http://127.0.0.1:" + instance.httpPort();
                BrokerFixture.adjust(producer, "apple", 1_000);
                BrokerFixture.deposit(producer, "alice", 1_000_000);
                producer.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/accounts/alice").statusCode() == 200);
                // (the root's index lists the intake's routes beside the queries)
                assertThat(get(base + "/").body()).contains("\"POST /orders\"", "\"POST /orders/{id}/cancel\"",
                        "\"GET /orders/{id}\"");

                // Given half the orders posted, and one posted twice with the same key
                List<String> orderIds = new ArrayList<>();
                for (int i = 0; i < ORDERS / 2; i++) {
                    orderIds.add(post(base, "k-" + i, i % 10 == 9 ? 2_000 : 1));
                }
                String replayed = post(base, "k-0", 1);
                assertThat(replayed).isEqualTo(orderIds.get(0));

                // When the Connect worker is restarted while the other half is posted
                connect.close();
                for (int i = ORDERS / 2; i < ORDERS; i++) {
                    orderIds.add(post(base, "k-" + i, i % 10 == 9 ? 2_000 : 1));
                }
                connect = EmbeddedConnect.builder(bootstrap).start();
                connect.awaitRunning(name, Duration.ofSeconds(120));

                // Then every order reaches a terminal status, as the query API shows
                for (String orderId : orderIds) {
                    HttpResponse<String> view = get(base + "/orders/" + orderId + "?waitFor=TERMINAL&timeout=60s");
                    assertThat(view.statusCode()).as(orderId).isEqualTo(200);
                    assertThat(view.body()).containsAnyOf("\"status\":\"CONFIRMED\"", "\"status\":\"CANCELLED\"");
                }
                assertThat(get(base + "/orders/" + orderIds.get(9)).body()).contains("OUT_OF_STOCK");
                assertThat(get(base + "/metrics").body()).containsPattern("outbox_lag_seconds_count [1-9]");

                // And PostgreSQL, order.events and order.status agree: one event, one terminal status per order
                Map<String, Integer> placedEvents = placedEventsByOrder(bootstrap);
                assertThat(placedEvents.keySet()).containsExactlyInAnyOrderElementsOf(orderIds);
                assertThat(committedOrders(postgres)).isEqualTo(placedEvents.size()).isEqualTo(ORDERS);
                Map<String, Integer> terminal = terminalStatusesByOrder(bootstrap, orderIds.size());
                assertThat(terminal).hasSize(ORDERS).allSatisfy((orderId, count) -> assertThat(count).isEqualTo(1));
            } finally {
                connect.close();
            }
        }
    }

    /** The intake's settings for {@code postgres}, as its owner. */
    static IntakeConfig intakeConfig(LocalPostgres postgres) {
        Properties props = new Properties();
        props.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        props.put(IntakeConfig.JDBC_USER, postgres.user());
        props.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        return IntakeConfig.from(props);
    }

    private static String post(String base, String key, int quantity) throws Exception {
        String body = "{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":"
                + quantity + ",\"unitPrice\":100}]}";
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Idempotency-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher m = ORDER_ID.matcher(response.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(70)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int committedOrders(LocalPostgres postgres) throws Exception {
        try (Connection connection = postgres.connect();
             ResultSet rows = connection.createStatement().executeQuery("select count(*) from orders")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Distinct OrderPlaced orderIds on order.events, read_committed, each with how many records carried it. */
    private static Map<String, Integer> placedEventsByOrder(String bootstrap) {
        IngressReader reader = new IngressReader(LocalSchemaRegistry.instance());
        Map<String, Integer> placed = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, Topics.ORDER_EVENTS.name())) {
            drain(consumer, record -> {
                OrderEvent event = reader.orderEvent(record);
                if (event.getEvent() instanceof OrderPlaced) {
                    placed.merge(event.getOrderId(), 1, Integer::sum);
                }
            });
        }
        return placed;
    }

    private static Map<String, Integer> terminalStatusesByOrder(String bootstrap, int orders) {
        Map<String, Integer> terminal = new HashMap<>();
        try (KafkaConsumer<String, OrderStatusChanged> consumer = BrokerFixture.statusConsumer(bootstrap)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (OrderStatusChanged change : BrokerFixture.poll(consumer)) {
                    if (BrokerFixture.isTerminal(change.getStatus())) {
                        terminal.merge(change.getOrderId(), 1, Integer::sum);
                    }
                }
                return terminal.size() >= orders && BrokerFixture.poll(consumer).isEmpty();
            });
        }
        return terminal;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, java.util.function.Consumer<byte[]> each) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> each.accept(record.value()));
            return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        });
    }
}
