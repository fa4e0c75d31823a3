package io.orderflow.devtools.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Schema Registry for tests: Apicurio Registry 2.6 with in-memory storage, run as a child JVM on an
 * ephemeral loopback port. It serves Confluent's Schema Registry REST API under {@link #confluentUrl()} and
 * Apicurio's own under {@link #coreV2Url()}.
 *
 * <p>The distribution ({@code io.apicurio:apicurio-registry-app:2.6.13.Final}, classifier {@code all},
 * {@code tar.gz}) comes from Maven Central: the devtools build unpacks it into {@code target/apicurio-registry}
 * and tells the tests where through the system property {@value #HOME_PROPERTY}. It runs on the JDK that runs
 * the tests (Java 11 or newer). The registry logs to {@code target/apicurio-registry-<port>.log}; the last lines
 * are in every start-up failure. A JVM that exits without {@link #close()} still kills it.
 */
public final class ApicurioRegistry implements AutoCloseable {
    /** Where the build unpacked the distribution (the directory holding its {@code -runner.jar}). */
    public static final String HOME_PROPERTY = "orderflow.apicurio.home";
    /** About 6 s on a quiet 2-core machine; the bound leaves room for a busy one. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int LOG_LINES_IN_ERRORS = 30;

    private final Path runnerJar;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread killOnExit = new Thread(this::kill, "apicurio-registry-kill-on-exit");
    private Process process;

    private ApicurioRegistry(Path runnerJar, int port) {
        this.runnerJar = runnerJar;
        this.port = port;
        this.log = runnerJar.getParent().resolveSibling("apicurio-registry-" + port + ".log");
    }

    /** Starts a registry on a free loopback port and waits until it answers. */
    public static ApicurioRegistry start() {
        ApicurioRegistry registry = new ApicurioRegistry(runnerJar(), LoopbackPorts.resolve("127.0.0.1", 0)[0]);
        Runtime.getRuntime().addShutdownHook(registry.killOnExit);
        try {
            registry.launch();
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Base URL of Confluent's Schema Registry API, for {@code schema.registry.url}. */
    public String confluentUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /** Base URL of Apicurio's own v2 API, for {@code apicurio.registry.url}. */
    public String coreV2Url() {
        return "http://127.0.0.1:" + port + "/apis/registry/v2";
    }

    /**
     * Sets a subject's compatibility level ({@code PUT /config/{subject}}). Apicurio enforces none by default,
     * unlike Confluent's BACKWARD.
     */
    public void setCompatibility(String subject, String level) {
        String body = JSON.createObjectNode().put("compatibility", level).toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(confluentUrl() + "/config/" + encode(subject)))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();
        JsonNode answer = send(request, 200);
        if (!level.equals(answer.path("compatibility").asText())) {
            throw new IllegalStateException("Apicurio Registry answered " + answer + " to setting " + subject
                    + "'s compatibility to " + level);
        }
    }

    /** Subjects the registry knows ({@code GET /subjects}). */
    public List<String> subjects() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return JSON.convertValue(send(request, 200),
                JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** SIGKILL, as a crash would: no shutdown, connections reset. Waits until the process is gone. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Apicurio Registry (pid " + p.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing Apicurio Registry", e);
        }
    }

    /** Starts the registry again on the same port after {@link #kill()}; its in-memory storage starts empty. */
    public void restart() {
        if (alive()) {
            throw new IllegalStateException("Apicurio Registry on port " + port + " is still running; kill it first");
        }
        launch();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // The JVM is already exiting: the hook runs (or ran) and kills the process anyway.
        }
    }

    private void launch() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            Files.writeString(log, "");
            process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    // The management interface would otherwise listen on port 9000 on every interface.
                    "-Dquarkus.management.enabled=false",
                    "-jar", runnerJar.toString())
                    .directory(runnerJar.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry from " + runnerJar, e);
        }
        try {
            await("Apicurio Registry to answer on " + confluentUrl())
                    .atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("Apicurio Registry exited", () -> !process.isAlive())
                    .until(this::answers);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            String why = process.isAlive() ? "did not answer within " + READY_TIMEOUT.toSeconds() + " s"
                    : "exited with code " + process.exitValue();
            kill();
            throw new IllegalStateException("Apicurio Registry on port " + port + " " + why + logTail(), e);
        }
    }

    private boolean answers() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JsonNode send(HttpRequest request, int expectedStatus) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
            return tail.isEmpty() ? " (its log " + log + " is empty)" : "; end of " + log + ":\n" + String.join("\n", tail);
        } catch (IOException e) {
            return " (cannot read its log " + log + ": " + e.getMessage() + ")";
        }
    }

    /** The distribution's {@code -runner.jar}, or a failure that says how to get it. */
    static Path runnerJar() {
        String configured = System.getProperty(HOME_PROPERTY);
        // Outside Maven (an IDE), the working directory is the module: find the build's copy there.
        Path home = Path.of(configured != null ? configured : "target/apicurio-registry").toAbsolutePath();
        String missing = "Apicurio Registry distribution not found in " + home + " (system property "
                + HOME_PROPERTY + (configured == null ? " not set" : "=" + configured) + "). The devtools build "
                + "unpacks io.apicurio:apicurio-registry-app:tar.gz:all there in generate-test-resources unless "
                + "tests are skipped: run ./mvnw -B -pl devtools -am verify -Dtest=<TestClass>";
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException(missing);
        }
        try (Stream<Path> files = Files.list(home)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(missing));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + home, e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
