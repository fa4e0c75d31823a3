package io.orderflow.devtools.chaos;

import io.orderflow.devtools.embedded.HostNetwork;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Orderflow instance as its own JVM ({@code saga run --config}), on this JVM's class path, that can be killed
 * with SIGKILL and started again on the same port and state directory — or on a wiped one. Every incarnation logs
 * to a file of its own ({@code instance-<n>.<incarnation>.log}).
 */
final class InstanceProcess {
    /** A killed member is noticed when its session expires: short, so a kill is felt within seconds. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    /** Logged by {@code OrderflowInstance} when a stream thread dies and is replaced. */
    static final String THREAD_REPLACED = "Stream thread failed; replacing it";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int index;
    private final HostNetwork network;
    private final String address;
    private final int port;
    private final Path dir;
    private final Path stateDir;
    private final Path config;
    private final String heap;
    private final List<Path> logs = new ArrayList<>();
    private Process process;
    /** Whether the process was killed or stopped on purpose, so its being gone is expected. */
    private boolean meantDown;

    /**
     * @param settings the instance's properties besides its own port and state directory (bootstrap.servers,
     *                 processing.guarantee, …)
     */
    InstanceProcess(int index, HostNetwork network, int port, Path dir, Properties settings, String heap) {
        this.index = index;
        this.network = network;
        this.address = network.address(hostName(index));
        this.port = port;
        this.dir = dir;
        this.heap = heap;
        this.stateDir = dir.resolve("state-" + index);
        this.config = dir.resolve("instance-" + index + ".properties");
        Properties props = new Properties();
        props.putAll(settings);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, address);
        props.putIfAbsent(HttpAuth.MODE, "none"); // on the run's own loopback or namespaces
        props.put(InstanceConfig.ADVERTISED, address + ":" + port);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                Long.toString(SESSION_TIMEOUT.toMillis()));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Long.toString(SESSION_TIMEOUT.toMillis() / 4));
        try (Writer writer = Files.newBufferedWriter(config)) {
            props.store(writer, "chaos instance " + index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    int index() {
        return index;
    }

    /** The host instance {@code index} runs on, on the run's {@link HostNetwork}. */
    static String hostName(int index) {
        return "instance-" + index;
    }

    String host() {
        return hostName(index);
    }

    int port() {
        return port;
    }

    /** Starts a new incarnation; the instance must not be running. */
    void start() {
        if (alive()) {
            throw new IllegalStateException("instance " + index + " is already running");
        }
        Path log = dir.resolve("instance-" + index + "." + (logs.size() + 1) + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            process = new ProcessBuilder(network.command(host(), List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "io.orderflow.devtools.Main", "run", "--config", config.toString(), "--startup-timeout", "300s")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start instance " + index, e);
        }
        logs.add(log);
        meantDown = false;
    }

    /**
     * Whether this incarnation exited although nobody killed or stopped it (a failed start-up, a fatal error): what a
     * supervisor (systemd, Kubernetes) would restart, and what a chaos run counts as a failure.
     */
    boolean exitedOnItsOwn() {
        return process != null && !process.isAlive() && !meantDown;
    }

    /** The exit code of an incarnation that is gone. */
    int exitCode() {
        return process.exitValue();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no leave-group, transactions left open. Waits until the process is gone. */
    void kill() throws InterruptedException {
        meantDown = true;
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * SIGSTOP (or SIGCONT): the process freezes, its transactions stay open and its session expires, as in a long
     * GC pause or a VM stalled by its host; resumed, it is a zombie that Kafka must fence.
     */
    void signal(String signal) throws InterruptedException {
        if (!alive()) {
            return;
        }
        Signals.send(process.pid(), signal);
    }

    /** Deletes the state directory: the next incarnation restores everything from the changelogs. */
    void wipeState() {
        if (alive()) {
            throw new IllegalStateException("instance " + index + " is running; kill it before wiping its state");
        }
        if (!Files.exists(stateDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(stateDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wipe " + stateDir, e);
        }
    }

    /** SIGTERM, without waiting: lets several instances shut down at once. */
    void terminate() {
        meantDown = true;
        if (process != null) {
            process.destroy();
        }
    }

    /** SIGTERM and a clean shutdown; SIGKILL if it takes longer than {@code grace}. */
    void stop(Duration grace) throws InterruptedException {
        meantDown = true;
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The status of {@code GET path} on this instance, -1 when it does not answer. */
    int status(String path) {
        return status(path, Duration.ofSeconds(5));
    }

    /** The status of {@code GET path} on this instance, -1 when it does not answer within {@code timeout}. */
    int status(String path, Duration timeout) {
        try {
            return HTTP.send(request(path, timeout), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The body of {@code GET path} when it answers 200, else null. */
    String get(String path) {
        return get(path, Duration.ofSeconds(5));
    }

    /** The body of {@code GET path} when it answers 200 within {@code timeout}, else null. */
    String get(String path, Duration timeout) {
        try {
            HttpResponse<String> response = HTTP.send(request(path, timeout), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The value of an unlabelled gauge or counter on {@code /metrics}, NaN when it cannot be read. */
    double metric(String name) {
        return metric(name, Duration.ofSeconds(5));
    }

    /** The value of an unlabelled gauge or counter, NaN when it cannot be read within {@code timeout}. */
    double metric(String name, Duration timeout) {
        String body = get("/metrics?name%5B%5D=" + name, timeout);
        if (body == null) {
            return Double.NaN;
        }
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ")) {
                try {
                    return Double.parseDouble(line.substring(name.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    /** How often a stream thread died and was replaced, over every incarnation's log. */
    int threadReplacements() {
        int count = 0;
        for (Path log : logs) {
            try (Stream<String> lines = Files.lines(log)) {
                count += (int) lines.filter(line -> line.contains(THREAD_REPLACED)).count();
            } catch (IOException | UncheckedIOException e) {
                // an unreadable log counts nothing; the invariants still decide
            }
        }
        return count;
    }

    List<Path> logs() {
        return List.copyOf(logs);
    }

    private HttpRequest request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path)).timeout(timeout)
                .GET().build();
    }

    @Override
    public String toString() {
        return "instance " + index + " (" + address + ":" + port + ")";
    }
}
