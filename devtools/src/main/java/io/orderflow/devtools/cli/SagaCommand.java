package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Cli;
import io.orderflow.server.cli.IntakeCommand;
import io.orderflow.server.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code saga} command line: one command per way to use Orderflow. */
@Command(name = "saga", mixinStandardHelpOptions = true, version = "Orderflow 0.1.0 (Kafka 4.3.2)",
        description = "Orders, payments and inventory kept consistent on Kafka Streams with exactly-once sagas.",
        subcommands = {DemoCommand.class, RunCommand.class, IntakeCommand.class, ConsoleProducerCommand.class,
                ConsoleConsumerCommand.class, VerifyCommand.class, BenchCommand.class, SoakCommand.class,
                ChaosCommand.class, AclsCommand.class, OperatorCommands.Sagas.class, OperatorCommands.Dlq.class,
                CommandLine.HelpCommand.class})
public final class SagaCommand implements Runnable {
    /** Exit code for bad flags or bad configuration. */
    public static final int USAGE = Cli.USAGE;
    /** Exit code for a failure while running. */
    public static final int FAILED = Cli.FAILED;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with Orderflow's error handling, for {@link #execute} and for tests. */
    public static CommandLine commandLine() {
        return Cli.commandLine(new SagaCommand());
    }
}
