package io.orderflow.devtools.demo;

import io.orderflow.devtools.it.BrokerFixture;
import io.orderflow.devtools.it.SystemTool;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./saga demo} and {@code ./saga demo --secure} as a user runs them, then every command each prints, run by bash as printed — with one
 * substitution: {@code ./saga} is this test's class path (the launcher would build the project, which is being
 * tested). The curl commands need curl (the test is skipped without it). Every command exits 0 and the answers
 * are the ones the comments promise; the consumers, which wait for Ctrl-C, are bounded.
 */
class DemoPrintedCommandsIntegrationTest {
    private static final Duration STARTED = Duration.ofMinutes(3);

    @ParameterizedTest(name = "secure: {0}")
    @ValueSource(booleans = {false, true})
    void shouldRunEveryPrintedCommandAsPrinted(boolean secure, @TempDir Path dir) throws Exception {
        SystemTool.need("curl", onPath("curl"), "curl is not installed: the printed commands use it");
        // Given the demo, started as ./saga starts it, its output captured
        Path out = dir.resolve("out.txt");
        Path home = Path.of("").toAbsolutePath().getParent();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Dorderflow.home=" + home,
                "-cp", System.getProperty("java.class.path"), "io.orderflow.devtools.Main", "demo",
                "--kafka-port", Integer.toString(BrokerFixture.freePort()),
                "--http-port", Integer.toString(BrokerFixture.freePort())));
        if (secure) {
            command.add("--secure");
        }
        Process demo = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        try {
            await().atMost(STARTED).pollInterval(Duration.ofMillis(500))
                    .until(() -> read(out).contains("Ctrl-C stops everything") || !demo.isAlive());
            assertThat(demo.isAlive()).as("demo running; stderr:\n%s", read(dir.resolve("err.txt"))).isTrue();
            List<String> commands = printedCommands(read(out));
            assertThat(commands).hasSize(15);

            // When each runs as printed, in order, in one shell (the first sets $id for the second)
            Path script = dir.resolve("commands.sh");
            StringBuilder text = new StringBuilder("set -u\nsaga() { '" + java + "' -cp '"
                    + System.getProperty("java.class.path") + "' io.orderflow.devtools.Main \"$@\"; }\n");
            for (int i = 0; i < commands.size(); i++) {
                String line = commands.get(i).replace("./saga ", "saga ");
                if (line.contains("console-consumer")) {
                    line = line + " --timeout-ms 10000 --max-messages 3"; // they wait for Ctrl-C otherwise
                }
                text.append("echo '>>> ").append(i + 1).append("'\n").append(line).append('\n')
                        .append("rc=$?; [ $rc -eq 0 ] || echo \"!!! command ").append(i + 1).append(" exited $rc\"\n");
            }
            Files.writeString(script, text);
            Process shell = new ProcessBuilder("bash", script.toString()).directory(home.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("commands.out").toFile()).start();
            assertThat(shell.waitFor(5, TimeUnit.MINUTES)).as("the commands finished").isTrue();
            String answers = read(dir.resolve("commands.out"));

            // Then none failed, and they answered what the comments say
            assertThat(answers).as(answers).doesNotContain("!!! command")
                    .contains("\"status\":\"CONFIRMED\"", "\"note\":\"Ring twice\"", "\"sku\":\"apple\"",
                            "\"customerId\":\"alice\"", "\"status\":\"CANCELLED\",\"reason\":\"CUSTOMER\"",
                            "Processed a total of 3 messages", "ORDER                    CUSTOMER",
                            "PARTITION/OFF  TIME");
        } finally {
            demo.destroy();
            if (!demo.waitFor(60, TimeUnit.SECONDS)) {
                demo.destroyForcibly().waitFor();
            }
        }
    }

    /** The command lines between "Try it" and "Ctrl-C stops", without the trailing comments. */
    static List<String> printedCommands(String output) {
        List<String> commands = new ArrayList<>();
        boolean inside = false;
        for (String line : output.lines().toList()) {
            if (line.startsWith("Try it from another shell")) {
                inside = true;
            } else if (line.startsWith("Ctrl-C stops everything")) {
                inside = false;
            } else if (inside && line.startsWith("  ") && !line.trim().startsWith("#") && !line.isBlank()) {
                commands.add(line.trim().replaceAll("\\s+# Ctrl-C to stop$", ""));
            }
        }
        return commands;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
