package io.orderflow.devtools.chaos;

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

/**
 * SIGTERM (what {@code kill} and a CI runner send) stops a {@code saga chaos} run, and everything it started, while
 * its load is still running: before, the signal closed the brokers and instances, and the run went on against
 * nothing, forever.
 */
class ChaosStopIntegrationTest {
    private static final Duration STARTED = Duration.ofMinutes(3);
    private static final Duration STOPPED = Duration.ofSeconds(60);

    @Test
    void shouldStopTheRunAndEveryProcessItStartedOnSigterm(@TempDir Path dir) throws Exception {
        // Given a chaos run whose load would take half an hour
        Path err = dir.resolve("err.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process chaos = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.orderflow.devtools.Main", "chaos", "--instances", "1", "--orders", "100000", "--rate", "50",
                "--kills", "0")
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
        try {
            await().atMost(STARTED).pollInterval(Duration.ofMillis(500)).until(
                    () -> read(err).contains("orders placed") || !chaos.isAlive());
            assertThat(chaos.isAlive()).as("chaos running; stderr:\n%s", read(err)).isTrue();
            List<ProcessHandle> started = chaos.descendants().toList();
            assertThat(started).as("the instance it started").isNotEmpty();

            // When SIGTERM reaches it
            new ProcessBuilder("kill", "-TERM", Long.toString(chaos.pid())).inheritIO().start().waitFor();

            // Then it stops, says why, fails, and leaves no process behind
            assertThat(chaos.waitFor(STOPPED.toSeconds(), TimeUnit.SECONDS)).as("stopped within %s; stderr:\n%s",
                    STOPPED, read(err)).isTrue();
            assertThat(chaos.exitValue()).isNotZero();
            assertThat(read(err)).contains("stopped by a signal");
            await().atMost(Duration.ofSeconds(30)).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            chaos.descendants().forEach(ProcessHandle::destroyForcibly);
            chaos.destroyForcibly().waitFor();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
