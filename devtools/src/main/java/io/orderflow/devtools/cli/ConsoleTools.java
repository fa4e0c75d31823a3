package io.orderflow.devtools.cli;

import io.orderflow.devtools.console.AvroJsonFormatter;
import io.orderflow.topology.Topics;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs Kafka's own console producer and consumer (from {@code kafka-tools}), so a user without a Kafka download
 * can produce JSON lines and read every topic. Orderflow only adds defaults: {@code --bootstrap-server
 * localhost:9092} when none is given, and for the Avro topics a formatter that prints JSON.
 */
final class ConsoleTools {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    private ConsoleTools() {
    }

    static List<String> producerArgs(List<String> args) {
        List<String> out = new ArrayList<>(args);
        if (!args.contains("--help") && !args.contains("--bootstrap-server")) {
            out.add("--bootstrap-server");
            out.add(DEFAULT_BOOTSTRAP);
        }
        return out;
    }

    static List<String> consumerArgs(List<String> args) {
        List<String> out = producerArgs(args);
        if (args.contains("--help")) {
            return out;
        }
        int topicAt = args.indexOf("--topic");
        String topic = topicAt >= 0 && topicAt + 1 < args.size() ? args.get(topicAt + 1) : null;
        boolean avroTopic = Topics.ALL.stream().anyMatch(t -> t.name().equals(topic))
                && Topics.INGRESS.stream().noneMatch(t -> t.name().equals(topic))
                && !Topics.DEAD_LETTERS.name().equals(topic);
        if (avroTopic && !args.contains("--formatter")) {
            out.add("--formatter");
            out.add(AvroJsonFormatter.class.getName());
        }
        if (Topics.DEAD_LETTERS.name().equals(topic) && !args.contains("--formatter")) {
            out.add("--formatter-property");
            out.add("print.headers=true");
        }
        if (!args.contains("--isolation-level")) {
            out.add("--isolation-level");
            out.add("read_committed");
        }
        return out;
    }
}
