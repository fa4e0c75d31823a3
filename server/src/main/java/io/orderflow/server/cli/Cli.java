package io.orderflow.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * What every Orderflow command line shares: exit codes, and errors as one clear line (for a flag or command it does
 * not accept, one more line saying where to look), never a stack trace or the whole usage.
 */
public final class Cli {
    /** Exit code for bad flags or bad configuration. */
    public static final int USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int FAILED = 1;

    /** A mistyped command is at most this many edits (OSA distance: a swap of two letters is one) from a real one. */
    private static final int MAX_TYPO_DISTANCE = 2;

    private Cli() {
    }

    /** {@code command}'s command line with Orderflow's error handling. */
    public static CommandLine commandLine(Object command) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(Cli::failed);
        cli.setParameterExceptionHandler(Cli::badInput);
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

    /**
     * A flag or command the command line does not accept: what is wrong and where to look, in two lines on stderr,
     * instead of picocli's default of the message followed by the whole usage.
     */
    private static int badInput(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        String name = cli.getCommandSpec().qualifiedName();
        boolean hasCommands = !cli.getSubcommands().isEmpty();
        String unknownCommand = unknownCommand(e, hasCommands);
        if (unknownCommand != null) {
            err.println("error: Unknown command: '" + unknownCommand + "'");
            List<String> near = nearest(unknownCommand, cli.getSubcommands());
            err.println(near.isEmpty() ? "Try '" + name + " --help' for the commands."
                    : "Did you mean: " + String.join(" or ", near) + "?");
        } else {
            err.println("error: " + problem(e));
            err.println("Try '" + name + " --help' for the " + (hasCommands ? "commands." : "options."));
        }
        err.flush();
        return USAGE;
    }

    /** The word typed where a command was expected, or null when the problem is another. */
    private static String unknownCommand(ParameterException e, boolean hasCommands) {
        if (hasCommands && e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            return first.startsWith("-") ? null : first;
        }
        return null;
    }

    /**
     * picocli's message, made about the first offending argument only ("Unknown options: '--ordres', '5'"). An
     * unknown flag is named even when picocli reports a missing one first: in {@code run --confg FILE}, the typo.
     */
    private static String problem(ParameterException e) {
        List<String> unmatched = e instanceof UnmatchedArgumentException u ? u.getUnmatched()
                : e.getCommandLine().getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            String first = unmatched.get(0);
            if (first.startsWith("-")) {
                int eq = first.indexOf('=');
                return "Unknown option: '" + (eq > 0 ? first.substring(0, eq) : first) + "'";
            }
            return "Unexpected argument: '" + first + "'";
        }
        return e.getMessage();
    }

    /** The visible commands nearest to {@code typed}, if any is a likely typo of it. */
    private static List<String> nearest(String typed, Map<String, CommandLine> commands) {
        List<String> visible = commands.entrySet().stream()
                .filter(c -> !c.getValue().getCommandSpec().usageMessage().hidden())
                .map(Map.Entry::getKey)
                .toList();
        int best = visible.stream().mapToInt(c -> distance(typed, c)).min().orElse(Integer.MAX_VALUE);
        if (best > MAX_TYPO_DISTANCE || best >= typed.length()) {
            return List.of();
        }
        return visible.stream().filter(c -> distance(typed, c) == best).toList();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
