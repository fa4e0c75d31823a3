package io.orderflow.devtools.demo;

import io.orderflow.devtools.it.BrokerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ./saga demo} as a user runs it: a JVM of its own with the production logging, three instances (whose
 * joins rebalance tasks into standbys), the outbox path through PostgreSQL and Connect, then Ctrl-C (SIGINT). A
 * clean start and stop print no ERROR line and no stack trace, and the process exits by itself, with 0.
 */
class DemoStopIntegrationTest {
    private static final Duration STARTED = Duration.ofMinutes(3);
    private static final Duration STOPPED = Duration.ofSeconds(90);

    @Test
    void shouldPrintNoErrorWhenThreeInstancesStartAndCtrlCStopsTheDemo(@TempDir Path dir) throws Exception {
        // A JVM started with SIGINT ignored (in the background: `cmd &` from a script, nohup) passes that on to
        // the demo, and a JVM never overrides an ignored SIGINT: Ctrl-C could not reach it at all.
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started in the background?), and so in "
                + "the demo it starts: Ctrl-C cannot be tested here");
        // Given a demo with three instances on free ports, its output captured
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        // (the repository root, as ./saga passes it: the demo reads connectors/ from there; and the logging a user
        // gets, not the tests' logback-test.xml, which comes first on this class path)
        Path home = Path.of("").toAbsolutePath().getParent();
        Process demo = new ProcessBuilder(java, "-Xmx1g", "-Dorderflow.home=" + home,
                "-Dlogback.configurationFile=" + home.resolve("server/src/main/resources/logback.xml"),
                "-cp", System.getProperty("java.class.path"),
                "io.orderflow.devtools.Main", "demo", "--instances", "3", "--orders", "10",
                "--kafka-port", Integer.toString(BrokerFixture.freePort()),
                "--http-port", Integer.toString(BrokerFixture.freePorts(3)))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            await().atMost(STARTED).pollInterval(Duration.ofMillis(500)).until(
                    () -> read(out).contains("Ctrl-C stops everything") || !demo.isAlive());
            assertThat(demo.isAlive()).as("demo running; stderr:\n%s", read(err)).isTrue();

            // When Ctrl-C reaches it
            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor();

            // Then it stops by itself, with 0, and said nothing alarming on the way in or out
            assertThat(demo.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS)).as("stopped within %s", STOPPED).isTrue();
            String log = read(out) + read(err);
            assertThat(demo.exitValue()).as(log).isZero();
            assertThat(read(err)).contains("Shutting down...");
            List<String> alarming = log.lines()
                    .filter(line -> line.contains(" ERROR ") || line.startsWith("\tat ") || line.contains("Exception"))
                    .toList();
            assertThat(alarming).as("ERROR lines and stack traces").isEmpty();
        } finally {
            demo.destroyForcibly().waitFor();
        }
    }

    /** Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status); false where that is unknown. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:"))
                .map(line -> new java.math.BigInteger(line.substring("SigIgn:".length()).trim(), 16))
                .anyMatch(mask -> mask.testBit(1));
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
