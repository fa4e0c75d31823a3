package io.orderflow.intake;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntakeConfigTest {

    private static Properties props(String... keyValues) {
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    @Test
    void shouldUseDefaultsWhenOnlyUrlIsGiven() {
        // When
        IntakeConfig config = IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db:5432/orders"));

        // Then
        assertThat(config.poolSize()).isEqualTo(10);
        assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.outboxMode()).isEqualTo(OutboxMode.DELETE);
        assertThat(config.batchMax()).isEqualTo(100);
        assertThat(config.batchWriters()).isEqualTo(2);
        assertThat(config.user()).isNull();
    }

    @Test
    void shouldReadEveryKeyWhenAllAreGiven() {
        // When
        IntakeConfig config = IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db:5432/orders",
                "intake.jdbc.user", "intake", "intake.jdbc.password", "secret", "intake.jdbc.pool.size", "4",
                "intake.jdbc.connection.timeout", "750ms", "intake.outbox.mode", "keep"));

        // Then
        assertThat(config).isEqualTo(new IntakeConfig("jdbc:postgresql://db:5432/orders", "intake", "secret", 4,
                Duration.ofMillis(750), OutboxMode.KEEP));
    }

    @Test
    void shouldNameTheKeyWhenAValueIsWrong() {
        // When / Then
        assertThatThrownBy(() -> IntakeConfig.from(props()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intake.jdbc.url is required");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:mysql://db/orders")))
                .hasMessageContaining("intake.jdbc.url must be a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.jdbc.pool.size", "ten"))).hasMessageContaining("intake.jdbc.pool.size must be an integer");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.jdbc.pool.size", "0"))).hasMessageContaining("intake.jdbc.pool.size must be >= 1");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.jdbc.connection.timeout", "soon"))).hasMessageContaining("intake.jdbc.connection.timeout");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.outbox.mode", "forever"))).hasMessageContaining("intake.outbox.mode must be 'delete' or 'keep'");
    }

    @Test
    void shouldReadGroupCommitKeysAndRefuseMoreWritersThanConnections() {
        // When
        IntakeConfig config = IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.batch.max", "1", "intake.batch.writers", "3"));

        // Then
        assertThat(config.batchMax()).isEqualTo(1);
        assertThat(config.batchWriters()).isEqualTo(3);
        assertThat(IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o", "intake.jdbc.pool.size", "1"))
                .batchWriters()).as("the default never exceeds the pool").isEqualTo(1);
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.batch.max", "0"))).hasMessageContaining("intake.batch.max must be >= 1");
        assertThatThrownBy(() -> IntakeConfig.from(props("intake.jdbc.url", "jdbc:postgresql://db/o",
                "intake.jdbc.pool.size", "2", "intake.batch.writers", "3")))
                .hasMessageContaining("intake.batch.writers must be between 1 and intake.jdbc.pool.size (2)");
    }

    @Test
    void shouldNeverShowPasswordWhenPrinted() {
        // Given
        IntakeConfig config = new IntakeConfig("jdbc:postgresql://db/o?password=hunter2&ssl=true", "u", "hunter2",
                1, Duration.ofSeconds(1), OutboxMode.DELETE);

        // When / Then
        assertThat(config.toString()).doesNotContain("hunter2").contains("password=***&ssl=true");
    }

    @Test
    void shouldFailNamingUrlButNotPasswordWhenDatabaseIsUnreachable() throws IOException {
        // Given: a port nobody listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/orders";
        IntakeConfig config = new IntakeConfig(url, "intake", "hunter2", 2, Duration.ofMillis(500), OutboxMode.DELETE);

        // When / Then
        assertThatThrownBy(() -> IntakeService.start(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at " + url)
                .hasMessageContaining("refused")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2");
                    }
                });
    }
}
