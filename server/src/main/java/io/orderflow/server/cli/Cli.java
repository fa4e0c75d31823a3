package io.orderflow.server.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** What every Orderflow command line shares: exit codes and errors as one clear line, never a stack trace. */
public final class Cli {
    /** Exit code for bad flags or bad configuration. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int FAILED = 1;

    private Cli() {
    }

    /** {@code command}'s command line with Orderflow's error handling. */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(Cli::failed);
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
