package io.orderflow.verify;

import io.orderflow.devtools.it.BrokerFixture;

import io.orderflow.devtools.cli.SagaCommand;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga verify} on bad input and on clusters it cannot check: one clear line on stderr, nothing on stdout,
 * exit code 2 for bad flags and 1 for a cluster that is unreachable or not Orderflow's, within the timeout.
 */
class VerifyCommandTest {
    /** A broker without Orderflow's topics. */
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            --bootstrap-server 127.0.0.1:9092 --timeout soon                   | --timeout must be a duration such as 30s, 5m or 500ms, was 'soon'
            --bootstrap-server 127.0.0.1:9092 --timeout 0s                     | --timeout must be a duration such as 30s, 5m or 500ms, was '0s'
            --bootstrap-server 127.0.0.1:9092 --schema-registry ftp://registry | schema.registry.url must be 'local:' or one or more comma-separated
            --bootstrap-server 127.0.0.1:9092 --application-id bad/id          | --application-id must be the instances' application.id
            --bootstrap-server localhost                                       | --bootstrap-server must be host:port[,host:port]
            --bootstrap-server localhost:99999                                 | --bootstrap-server must be host:port[,host:port]
            --bootstrap-server 127.0.0.1:9092 --jsno                           | Unknown option: '--jsno'
            """)
    void shouldExitWithUsageErrorWhenAFlagIsBad(String flags, String message) {
        // Given
        String[] args = ("verify " + flags).split(" ");

        // When
        VerifyFixture.Result result = VerifyFixture.saga(args);

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains(message).doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void shouldExitWithUsageErrorWhenBootstrapServerIsMissing() {
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--json");

        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("Missing required option: '--bootstrap-server=HOST:PORT'");
    }

    @Test
    void shouldExitWithUsageErrorWhenCommandConfigDoesNotExist(@TempDir Path dir) {
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", "127.0.0.1:9092",
                "--command-config", dir.resolve("client.properties").toString());

        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("--command-config file").contains("does not exist");
    }

    @Test
    void shouldFailWithinTheTimeoutWhenNoBrokerListens() {
        // Given a port nothing listens on
        String nowhere = "127.0.0.1:" + BrokerFixture.freePort();

        // When
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", nowhere, "--timeout", "2s",
                "--json");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.FAILED);
        assertThat(result.err().strip()).startsWith("error: cannot reach Kafka at " + nowhere + " within 2s")
                .doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
        assertThat(result.took()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void shouldNameTheMissingTopicsWhenTheClusterHasNoOrderflowTopics() {
        // When
        VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", KAFKA.bootstrapServers(),
                "--timeout", "20s");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.FAILED);
        assertThat(result.err().strip()).startsWith("error: topics order.events, inventory.adjustments, ")
                .contains("orderflow.dlq, orderflow-inventory-stock-changelog")
                .contains("do not exist: is this Orderflow's cluster")
                .doesNotContain("Exception");
        assertThat(result.out()).isEmpty();
    }
}
