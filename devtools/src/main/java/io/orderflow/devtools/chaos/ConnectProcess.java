package io.orderflow.devtools.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The {@link ConnectWorker} process: started, SIGKILLed and started again on the same REST port and group. */
final class ConnectProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(180);

    private final List<String> command = new ArrayList<>();
    private final Path dir;
    private int incarnation;
    private Process process;
    private Path log;

    ConnectProcess(String bootstrap, int restPort, int replication, Path connectorJson, Map<String, String> overrides,
                   Path dir) {
        this.dir = dir;
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ConnectWorker.class.getName(), bootstrap,
                Integer.toString(restPort), Integer.toString(replication), connectorJson.toString()));
        overrides.forEach((key, value) -> command.add(key + "=" + value));
    }

    /** Starts a new incarnation and waits until its connector runs. */
    void start() {
        log = dir.resolve("connect." + (++incarnation) + ".log");
        List<String> incarnationCommand = new ArrayList<>(command);
        if (incarnation > 1) {
            incarnationCommand.add(command.indexOf(ConnectWorker.class.getName()) + 1, "--restart");
        }
        try {
            process = new ProcessBuilder(incarnationCommand).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Connect worker", e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!running()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Connect worker exited with " + process.exitValue() + "; see "
                        + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Connect worker's connector did not run within "
                        + STARTUP.toSeconds() + " s; see " + log);
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // polling its log for the line it prints
        }
    }

    private boolean running() {
        try {
            return Files.readString(log).contains(ConnectWorker.RUNNING);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: the worker's open source transaction is left to be fenced and aborted. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
