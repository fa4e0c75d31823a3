package io.orderflow.devtools.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What needs no broker; the worker itself is exercised by {@link OutboxCdcIntegrationTest}. */
class EmbeddedConnectTest {

    @Test
    void shouldRefuseToStartWhenTheRestPortIsAlreadyInUse() throws Exception {
        // Given a port held by another socket on the loopback address
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedConnect.HOST))) {
            int port = taken.getLocalPort();

            // When / Then: refused before anything contacts Kafka
            assertThatThrownBy(() -> EmbeddedConnect.builder("127.0.0.1:1").restPort(port).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + port + " is already in use");
        }
    }

    @Test
    void shouldReadEveryConfigValueAsAStringWhenGivenTheOrdersOutboxFile() {
        // When
        Map<String, String> config = EmbeddedConnect.readConnectorFile(OutboxCdcIntegrationTest.CONNECTOR_FILE);

        // Then
        assertThat(config)
            .containsEntry("name", "orders-outbox")
            .containsEntry("connector.class", "io.debezium.connector.postgresql.PostgresConnector")
            .containsEntry("transforms.outbox.route.topic.replacement", "${routedByValue}.events")
            .containsKeys("database.hostname", "database.port", "database.user", "database.password", "database.dbname");
    }

    @Test
    void shouldRefuseAConnectorFileWhenItLacksNameAndConfig(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bare.json"), "{\"connector.class\": \"x\"}");

        assertThatThrownBy(() -> EmbeddedConnect.readConnectorFile(file))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("must be {\"name\"");
    }

    @Test
    void shouldNameTheRootCauseWhenAFailedTaskTraceHasOne() {
        String trace = "org.apache.kafka.connect.errors.ConnectException: Unable to create filtered publication p for \n"
            + "\tat io.debezium.X.y(X.java:1)\n"
            + "Caused by: io.debezium.DebeziumException: No table filters found for filtered publication p\n"
            + "\t... 16 common frames omitted\n";

        assertThat(EmbeddedConnect.describeTrace(trace)).isEqualTo(
            "org.apache.kafka.connect.errors.ConnectException: Unable to create filtered publication p for"
                + " (caused by io.debezium.DebeziumException: No table filters found for filtered publication p)");
    }
}
