package io.orderflow.devtools.embedded;

import kafka.tools.StorageTool;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Kafka's own storage tool, as {@code kafka-storage.sh format} runs it, for the embedded node and the cluster. */
final class KafkaStorage {
    private KafkaStorage() {
    }

    /**
     * Formats the log directories {@code configFile} names for {@code clusterId}.
     *
     * @throws IllegalStateException naming {@code logDir} and the tool's own output when it fails
     */
    static void format(Path configFile, String clusterId, Path logDir) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(
                new String[] {"format", "--cluster-id", clusterId, "--config", configFile.toString()}, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not format Kafka data dir " + logDir + ": " + e.getMessage(), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Could not format Kafka data dir " + logDir + " (exit code " + exitCode
                + "): " + output.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
