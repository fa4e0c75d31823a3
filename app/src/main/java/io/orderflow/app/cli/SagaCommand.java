package io.orderflow.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** The {@code saga} command line: one command per way to use Orderflow. */
@Command(name = "saga", mixinStandardHelpOptions = true, version = "Orderflow 0.1.0 (Kafka 4.3.1)",
        description = "Orders, payments and inventory kept consistent on Kafka Streams with exactly-once sagas.",
        subcommands = {DemoCommand.class, RunCommand.class, IntakeCommand.class, ConsoleProducerCommand.class,
                ConsoleConsumerCommand.class, VerifyCommand.class, BenchCommand.class, ChaosCommand.class, CommandLine.HelpCommand.class})
public final class SagaCommand implements Runnable {
    /** Exit code for bad flags or bad configuration. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int FAILED = 1;

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
        CommandLine cli = new CommandLine(new SagaCommand());
        cli.setExecutionExceptionHandler(SagaCommand::failed);
        return cli;
    }

    /** Errors reach the user as one clear line, never a stack trace (set ORDERFLOW_DEBUG=1 to see it). */
    private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("error: " + message);
        if (System.getenv("ORDERFLOW_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof IllegalArgumentException ? USAGE : FAILED;
    }
}
