package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.Signals;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.InstanceConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One Orderflow instance as its own JVM ({@code saga run --config}) on a given class path — this test run's, or an
 * earlier release's — with its HTTP API on a free loopback port, its state in {@code dir/state-<name>} and its output
 * in {@code dir/<name>.log}. A member that stops is noticed within seconds: the session timeout is 6 s, unless the
 * settings give another.
 */
public final class InstanceJvm implements AutoCloseable {
    /** Short, so that a stopped or killed member's tasks move within seconds. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private InstanceJvm(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** This test run's class path: the build under test. */
    public static String thisBuild() {
        return System.getProperty("java.class.path");
    }

    /**
     * Starts {@code saga run} on {@code classpath} with {@code settings} (bootstrap.servers, schema.registry.url, …)
     * plus its own port, state directory and a short session timeout; returns at once.
     */
    public static InstanceJvm start(String name, String classpath, Properties settings, Path dir) {
        int port = BrokerFixture.freePort();
        Properties props = new Properties();
        props.put(InstanceConfig.PARTITIONS, "6");
        props.put(InstanceConfig.REPLICATION_FACTOR, "1");
        props.put(HttpAuth.MODE, "none"); // a build before http.auth existed ignores it
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                Long.toString(SESSION_TIMEOUT.toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Long.toString(SESSION_TIMEOUT.toMillis() / 4));
        props.putAll(settings);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + name).toString());
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
        props.put(InstanceConfig.ADVERTISED, "127.0.0.1:" + port);
        Path config = dir.resolve(name + ".properties");
        Path log = dir.resolve(name + ".log");
        try (Writer writer = Files.newBufferedWriter(config)) {
            props.store(writer, "instance " + name);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath, "io.orderflow.devtools.Main", "run", "--config", config.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new InstanceJvm(name, port, log, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start instance " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Whether {@code /ready} answers 200; fails when the process has exited, naming its log. */
    public boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("instance " + name + " exited with " + process.exitValue() + "; see " + log);
        }
        return status("/ready") == 200;
    }

    /** The status of {@code GET path}, -1 when the instance does not answer. */
    public int status(String path) {
        HttpResponse<String> response = get(path);
        return response == null ? -1 : response.statusCode();
    }

    /** {@code GET path}, or null when the instance does not answer. */
    public HttpResponse<String> get(String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(70)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGTERM and a clean shutdown, SIGKILL after {@code grace}; returns the exit code. */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGSTOP: the process hangs as it is — connections stay open, nothing answers — until {@link #resume()}. */
    public void pause() throws InterruptedException {
        Signals.send(process.pid(), "STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws InterruptedException {
        Signals.send(process.pid(), "CONT");
    }

    /** SIGKILL: no shutdown, no leave-group, transactions left open. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                resume(); // a paused process would not hear SIGTERM until the grace ran out
            } catch (RuntimeException e) {
                // stop() ends it with SIGKILL after the grace anyway
            }
            stop(Duration.ofSeconds(30));
        }
    }
}
