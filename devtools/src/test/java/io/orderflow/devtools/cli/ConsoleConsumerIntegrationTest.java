package io.orderflow.devtools.cli;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.KafkaTopics;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga console-consumer} against a real broker, run as the user runs it: its own JVM with the application's
 * logback.xml (not the tests' logback-test.xml), so what it prints is what a user sees.
 */
class ConsoleConsumerIntegrationTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final String GARBAGE = "{\"orderId\": not json";

    private record Output(int code, String out, String err) {
    }

    @BeforeAll
    static void writeADeadLetter() throws Exception {
        try (Admin admin = KAFKA.admin()) {
            KafkaTopics.ensure(admin, List.of(Topics.DEAD_LETTERS.name()), 1, (short) 1, Duration.ofSeconds(30));
        }
        // A dead letter as the ingress writes one for a record it cannot read
        DeadLetters.Bounded letter = DeadLetters.bound(null, GARBAGE.getBytes(StandardCharsets.UTF_8),
                new DeadLetters.Source(Topics.ORDER_EVENTS.name(), 0, 7), "UNREADABLE",
                "io.orderflow.serde.InvalidRecordException", "not JSON");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, "o-1".getBytes(StandardCharsets.UTF_8),
                    letter.value(), letter.headers())).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldPrintTheReasonHeaderWhenDeadLettersAreReadWithPrintHeaders(@TempDir Path dir) throws Exception {
        // When the documented command runs (with this broker's address, and stopping after one record)
        Output output = consoleConsumer(dir, "--topic", Topics.DEAD_LETTERS.name(), "--from-beginning",
                "--property", "print.headers=true");

        // Then the dead letter is printed with the header that says why it was refused
        assertThat(output.err()).doesNotContain("cannot be specified together").doesNotContain("deprecated");
        assertThat(output.code()).as(output.err()).isZero();
        assertThat(output.out().lines()).singleElement().satisfies(line -> assertThat(line)
                .contains("orderflow.reason:UNREADABLE")
                .contains("__streams.errors.topic:order.events")
                .endsWith("\t" + GARBAGE));
    }

    @Test
    void shouldNotPrintKafkasProtocolBannerWhenConsuming(@TempDir Path dir) throws Exception {
        // When
        Output output = consoleConsumer(dir, "--topic", Topics.DEAD_LETTERS.name(), "--from-beginning");

        // Then the record is printed, and not Kafka's KIP-848 "production-ready!" banner: stderr has only the count
        assertThat(output.code()).as(output.err()).isZero();
        assertThat(output.out()).contains("orderflow.reason:UNREADABLE");
        assertThat(output.out() + output.err()).doesNotContain("production-ready").doesNotContain("KIP-848");
        assertThat(output.err().lines()).containsExactly("Processed a total of 1 messages");
    }

    /** {@code saga console-consumer ARGS --max-messages 1} in a new JVM, against the embedded broker. */
    private static Output consoleConsumer(Path dir, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                // The application's logging, as ./saga runs it: the test class path also holds logback-test.xml
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), "io.orderflow.devtools.Main", "console-consumer",
                "--bootstrap-server", KAFKA.bootstrapServers()));
        command.addAll(List.of(args));
        command.addAll(List.of("--max-messages", "1", "--timeout-ms", "30000"));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("console consumer finished").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Output(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
