package io.orderflow.server;

import io.orderflow.server.cli.Cli;
import io.orderflow.server.cli.IntakeCommand;
import io.orderflow.server.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of the production image ({@code deploy/Dockerfile}): the two roles that run in production, {@code run}
 * and {@code intake}, with the same flags as {@code ./saga run} and {@code ./saga intake}.
 */
@Command(name = "orderflow", mixinStandardHelpOptions = true, version = "Orderflow 0.1.0 (Kafka 4.3.2)",
        description = "Orderflow's production roles: a Streams instance (run) or the order intake (intake).",
        subcommands = {RunCommand.class, IntakeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(Cli.commandLine(new Main()).execute(args));
    }
}
