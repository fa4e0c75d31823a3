package io.orderflow.devtools.embedded;

import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.crypto.FieldCipher;
import io.orderflow.crypto.KeyRing;
import io.orderflow.crypto.connect.OpenSealedFields;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.OrderAccepted;
import io.orderflow.intake.OutboxMode;
import io.orderflow.intake.PlaceOrderRequest;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.server.runtime.KafkaTopics;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Personal data sealed on real parts: the intake seals an order's note (AES-256-GCM) in PostgreSQL, Debezium carries
 * the sealed outbox row, and the connector's {@link OpenSealedFields} transform opens it before Kafka — across a key
 * rotation, with a row sealed under the old key still unpublished when the keys change.
 */
class SealedNoteIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CONNECTOR = "orders-outbox";
    private static final PlaceOrderRequest.Line LINE = new PlaceOrderRequest.Line("s1", 1, 500);

    private final IngressReader reader = new IngressReader(LocalSchemaRegistry.instance());

    @Test
    void shouldPublishNotesInClearButStoreThemSealedWhenKeysRotateWithARowUnpublished(@TempDir Path dir)
            throws Exception {
        // Given PostgreSQL, the intake sealing with key k1, and the outbox connector opening with the same file
        String k1 = KeyRing.newKey();
        String k2 = KeyRing.newKey();
        Path before = Files.writeString(dir.resolve("keys-before"), "active=k1\nkey.k1=" + k1 + "\n");
        Path after = Files.writeString(dir.resolve("keys-after"), "active=k2\nkey.k1=" + k1 + "\nkey.k2=" + k2 + "\n");
        try (Admin admin = KAFKA.admin()) {
            KafkaTopics.ensure(admin, List.of(Topics.ORDER_EVENTS.name()), 6, (short) 1, Duration.ofSeconds(30));
            KafkaTopics.ensure(admin, List.of("__debezium-heartbeat.orderflow"), 1, (short) 1, Duration.ofSeconds(30));
        }
        try (LocalPostgres postgres = LocalPostgres.builder().start();
             EmbeddedConnect connect = EmbeddedConnect.builder(KAFKA.bootstrapServers()).start();
             KafkaConsumer<String, byte[]> consumer = consumerAtStartOf(Topics.ORDER_EVENTS.name())) {
            IntakeConfig config = IntakeConfig.from(intakeProps(postgres)).withOutboxMode(OutboxMode.KEEP);
            IntakeService intake = IntakeService.start(config.withEncryptionKeys(before));
            Map<String, String> settings = new HashMap<>(postgres.debeziumConnection());
            settings.putAll(OpenSealedFields.connectorSettings("outbox", before));
            connect.registerConnector(OutboxCdcIntegrationTest.CONNECTOR_FILE, settings);
            connect.awaitRunning(CONNECTOR, Duration.ofSeconds(60));
            List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
            OrderAccepted first = intake.placeOrder("key-1", new PlaceOrderRequest("c1", "EUR", List.of(LINE),
                    "Ring twice, Anna Müller"));
            pollUntil(consumer, received, 1);

            // When the connector is paused, an order is sealed under k1 and stays unpublished, the keys rotate (the
            // connector gets k1 and k2, the intake then seals with k2) and another order is placed
            put(connect, "/connectors/" + CONNECTOR + "/pause");
            await().atMost(Duration.ofSeconds(30)).until(() -> status(connect).contains("\"PAUSED\""));
            OrderAccepted unpublished = intake.placeOrder("key-2", new PlaceOrderRequest("c1", "EUR", List.of(LINE),
                    "Leave at the back door"));
            intake.close();
            intake = IntakeService.start(config.withEncryptionKeys(after));
            OrderAccepted rotated = intake.placeOrder("key-3", new PlaceOrderRequest("c1", "EUR", List.of(LINE),
                    "Call +49 30 1234567"));
            Map<String, String> rotatedSettings = new HashMap<>(settings);
            rotatedSettings.putAll(OpenSealedFields.connectorSettings("outbox", after));
            connect.registerConnector(CONNECTOR, withFile(rotatedSettings));
            put(connect, "/connectors/" + CONNECTOR + "/resume");
            pollUntil(consumer, received, 3);
            intake.close();

            // Then every note reaches order.events in clear, the one sealed under the old key included
            Map<String, String> notes = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : received) {
                OrderEvent event = reader.orderEvent(record.value());
                notes.put(event.getOrderId(), String.valueOf(((OrderPlaced) event.getEvent()).getNote()));
            }
            assertThat(notes).containsEntry(first.orderId(), "Ring twice, Anna Müller")
                    .containsEntry(unpublished.orderId(), "Leave at the back door")
                    .containsEntry(rotated.orderId(), "Call +49 30 1234567");
            // and PostgreSQL holds them sealed only, each under the key active when it was written
            try (Connection connection = postgres.connect()) {
                assertThat(column(connection, "SELECT note FROM orders WHERE order_id = ?", unpublished.orderId()))
                        .startsWith(FieldCipher.PREFIX + "k1:");
                assertThat(column(connection, "SELECT note FROM orders WHERE order_id = ?", rotated.orderId()))
                        .startsWith(FieldCipher.PREFIX + "k2:");
                assertThat(column(connection, "SELECT string_agg(payload::text, ' ') FROM outbox", null))
                        .contains(FieldCipher.PREFIX + "k1:").contains(FieldCipher.PREFIX + "k2:")
                        .doesNotContain("Anna", "back door", "1234567");
                assertThat(column(connection, "SELECT string_agg(note, ' ') FROM orders", null))
                        .doesNotContain("Anna", "back door", "1234567");
            }
        }
    }

    /** The connector file's settings with {@code overrides}, as registerConnector(file, …) makes them. */
    private static Map<String, String> withFile(Map<String, String> overrides) throws Exception {
        Map<String, String> config = new HashMap<>();
        com.fasterxml.jackson.databind.JsonNode file = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(OutboxCdcIntegrationTest.CONNECTOR_FILE.toFile()).get("config");
        file.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        config.putAll(overrides);
        return config;
    }

    private static Properties intakeProps(LocalPostgres postgres) {
        Properties props = new Properties();
        props.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        props.put(IntakeConfig.JDBC_USER, postgres.user());
        props.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        return props;
    }

    private static String column(Connection connection, String sql, String parameter) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            try (ResultSet result = statement.executeQuery()) {
                assertThat(result.next()).isTrue();
                return result.getString(1);
            }
        }
    }

    private static void put(EmbeddedConnect connect, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(connect.restUrl() + path))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    }

    private static String status(EmbeddedConnect connect) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(connect.restUrl() + "/connectors/" + CONNECTOR + "/status"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static KafkaConsumer<String, byte[]> consumerAtStartOf(String topic) {
        return OutboxCdcIntegrationTest.consumerAtStartOf(KAFKA.bootstrapServers(), topic);
    }

    private static void pollUntil(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> received,
                                  int count) {
        OutboxCdcIntegrationTest.pollUntil(consumer, received, count, Duration.ofSeconds(60));
    }
}
