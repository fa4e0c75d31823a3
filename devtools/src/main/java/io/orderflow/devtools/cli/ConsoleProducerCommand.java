package io.orderflow.devtools.cli;

import org.apache.kafka.tools.ConsoleProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "console-producer",
        description = {"Produce records with Kafka's own console producer.",
                "%nEvery option is Kafka's (kafka-tools), listed by --help. Default --bootstrap-server "
                        + ConsoleTools.DEFAULT_BOOTSTRAP + ".",
                "%nKeyed JSON lines:%n"
                        + "  --reader-property parse.key=true --reader-property key.separator='|'"})
final class ConsoleProducerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ConsoleTools.printOwnHelpFirst(spec, args, "producer");
        ConsoleProducer.main(ConsoleTools.producerArgs(args).toArray(String[]::new));
        return 0;
    }
}
