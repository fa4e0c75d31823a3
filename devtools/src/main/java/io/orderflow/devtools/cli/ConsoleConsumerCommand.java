package io.orderflow.devtools.cli;

import org.apache.kafka.tools.consumer.ConsoleConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "console-consumer",
        description = {"Read any topic with Kafka's own console consumer.",
                "%nEvery option is Kafka's (kafka-tools), listed by --help. Defaults: --bootstrap-server "
                        + ConsoleTools.DEFAULT_BOOTSTRAP + " and --isolation-level read_committed. --property "
                        + "(Kafka's old name) is passed on as --formatter-property.",
                "%nThe Avro topics print as JSON lines:%n"
                        + "  order.status, payment.*, inventory.commands, inventory.replies%n"
                        + "and orderflow.dlq prints its headers, which say why each record was refused.",
                "%nDead letters with their reasons:%n"
                        + "  saga console-consumer --topic orderflow.dlq --from-beginning \\%n"
                        + "    --property print.headers=true"})
final class ConsoleConsumerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ConsoleTools.printOwnHelpFirst(spec, args, "consumer");
        ConsoleConsumer.main(ConsoleTools.consumerArgs(args).toArray(String[]::new));
        return 0;
    }
}
