package io.orderflow.devtools.cli;

import org.apache.kafka.tools.ConsoleProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "console-producer",
        description = {"Kafka's console producer (kafka-tools). Every option is Kafka's; see --help.",
                "Default --bootstrap-server localhost:9092. Produce keyed JSON lines with",
                "  --reader-property parse.key=true --reader-property key.separator='|'"})
final class ConsoleProducerCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (args.contains("--help") || args.contains("-h")) {
            System.out.println("saga console-producer: Kafka's console producer; defaults to --bootstrap-server "
                    + ConsoleTools.DEFAULT_BOOTSTRAP + ". Kafka's help follows.\n");
        }
        ConsoleProducer.main(ConsoleTools.producerArgs(args).toArray(String[]::new));
        return 0;
    }
}
