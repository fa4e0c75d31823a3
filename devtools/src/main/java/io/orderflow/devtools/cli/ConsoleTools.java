package io.orderflow.devtools.cli;

import io.orderflow.devtools.console.AvroJsonFormatter;
import io.orderflow.topology.Topics;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs Kafka's own console producer and consumer (from {@code kafka-tools}), so a user without a Kafka download
 * can produce JSON lines and read every topic. Orderflow only adds defaults: {@code --bootstrap-server
 * localhost:9092} when none is given, for the Avro topics a formatter that prints JSON, and for the dead letters
 * their headers; and it passes the consumer's {@code --property} on as {@code --formatter-property}.
 */
final class ConsoleTools {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    /** With {@code --help}, prints the wrapper's own description before the tool prints Kafka's help. */
    static void printOwnHelpFirst(CommandSpec spec, List<String> args, String tool) {
        if (args.contains("--help") || args.contains("-h")) {
            spec.commandLine().usage(spec.commandLine().getOut());
            spec.commandLine().getOut().println("\nKafka's own help for the console " + tool + " follows.");
            spec.commandLine().getOut().flush();
        }
    }

    /** Kafka's deprecated name for {@link #FORMATTER_PROPERTY}; the two cannot be given together. */
    private static final String PROPERTY = "--property";
    private static final String FORMATTER_PROPERTY = "--formatter-property";

    private ConsoleTools() {
    }

    static List<String> producerArgs(List<String> args) {
        List<String> out = new ArrayList<>(args);
        if (!given(args, "--help") && !given(args, "--bootstrap-server")) {
            out.add("--bootstrap-server");
            out.add(DEFAULT_BOOTSTRAP);
        }
        return out;
    }

    static List<String> consumerArgs(List<String> args) {
        List<String> out = producerArgs(renamedProperties(args));
        if (given(args, "--help")) {
            return out;
        }
        String topic = values(args, "--topic").stream().findFirst().orElse(null);
        boolean avroTopic = Topics.ALL.stream().anyMatch(t -> t.name().equals(topic))
                && Topics.INGRESS.stream().noneMatch(t -> t.name().equals(topic))
                && !Topics.DEAD_LETTERS.name().equals(topic);
        if (avroTopic && !given(args, "--formatter")) {
            out.add("--formatter");
            out.add(AvroJsonFormatter.class.getName());
        }
        if (Topics.DEAD_LETTERS.name().equals(topic) && !given(args, "--formatter")
                && values(out, FORMATTER_PROPERTY).stream().noneMatch(p -> p.startsWith("print.headers="))) {
            out.add(FORMATTER_PROPERTY);
            out.add("print.headers=true");
        }
        if (!given(args, "--isolation-level")) {
            out.add("--isolation-level");
            out.add("read_committed");
        }
        return out;
    }

    /**
     * {@code --property k=v} passed on as {@code --formatter-property k=v}: the console consumer refuses the two
     * together, and the defaults above add the second; it also spares the user Kafka's deprecation warning.
     */
    private static List<String> renamedProperties(List<String> args) {
        return args.stream()
                .map(a -> a.equals(PROPERTY) ? FORMATTER_PROPERTY
                        : a.startsWith(PROPERTY + "=") ? FORMATTER_PROPERTY + a.substring(PROPERTY.length()) : a)
                .toList();
    }

    /** Whether {@code option} is given, as {@code --option value} or {@code --option=value}. */
    private static boolean given(List<String> args, String option) {
        return args.stream().anyMatch(a -> a.equals(option) || a.startsWith(option + "="));
    }

    /** Every value given to {@code option}, as {@code --option value} or {@code --option=value}. */
    private static List<String> values(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(option) && i + 1 < args.size()) {
                values.add(args.get(i + 1));
            } else if (a.startsWith(option + "=")) {
                values.add(a.substring(option.length() + 1));
            }
        }
        return values;
    }
}
