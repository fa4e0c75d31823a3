package io.orderflow.devtools.cli;

import org.apache.kafka.tools.consumer.ConsoleConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "console-consumer",
        description = {"Kafka's console consumer (kafka-tools). Every option is Kafka's; see --help.",
                "Defaults: --bootstrap-server localhost:9092, --isolation-level read_committed; the Avro topics",
                "(order.status, payment.*, inventory.commands, inventory.replies) print as JSON lines;",
                "orderflow.dlq prints its reason headers."})
final class ConsoleConsumerCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (args.contains("--help") || args.contains("-h")) {
            System.out.println("saga console-consumer: Kafka's console consumer; defaults to --bootstrap-server "
                    + ConsoleTools.DEFAULT_BOOTSTRAP + " and read_committed; Avro topics print as JSON. "
                    + "Kafka's help follows.\n");
        }
        ConsoleConsumer.main(ConsoleTools.consumerArgs(args).toArray(String[]::new));
        return 0;
    }
}
