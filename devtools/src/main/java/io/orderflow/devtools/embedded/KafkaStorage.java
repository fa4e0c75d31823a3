package io.orderflow.devtools.embedded;

import kafka.tools.StorageTool;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the embedded node and the cluster's nodes share: the replication of Kafka's internal topics, and Kafka's own
 * storage tool, as {@code kafka-storage.sh format} runs it.
 */
final class KafkaStorage {
    private KafkaStorage() {
    }

    /**
     * Replication of every topic Kafka and Kafka Streams create (the offsets, the transaction state log, the share
     * coordinator's state, topics by default) and their {@code min.insync.replicas}; no topic created on first use,
     * no initial rebalance delay.
     */
    static void replication(Map<String, String> props, int replication, int minIsr) {
        props.put("offsets.topic.replication.factor", Integer.toString(replication));
        props.put("transaction.state.log.replication.factor", Integer.toString(replication));
        props.put("transaction.state.log.min.isr", Integer.toString(minIsr));
        props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
        props.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
        props.put("default.replication.factor", Integer.toString(replication));
        props.put("min.insync.replicas", Integer.toString(minIsr));
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
    }

    /** {@link #format(Path, String, Path, String)} without SCRAM credentials. */
    static void format(Path configFile, String clusterId, Path logDir) {
        format(configFile, clusterId, logDir, null);
    }

    /**
     * Formats the log directories {@code configFile} names for {@code clusterId}, with a SCRAM credential
     * ({@code --add-scram}, e.g. {@code SCRAM-SHA-512=[name=admin,password=…]}) when {@code scram} is not null.
     *
     * @throws IllegalStateException naming {@code logDir} and the tool's own output when it fails
     */
    static void format(Path configFile, String clusterId, Path logDir, String scram) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("format", "--cluster-id", clusterId,
            "--config", configFile.toString()));
        if (scram != null) {
            args.add("--add-scram");
            args.add(scram);
        }
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(args.toArray(String[]::new), out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Could not format Kafka data dir " + logDir + ": " + e.getMessage(), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Could not format Kafka data dir " + logDir + " (exit code " + exitCode
                + "): " + output.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
