package io.orderflow.server;

import io.orderflow.server.cli.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The production entry point answers bad input as {@code saga} does: one error line, one hint, exit code 2. */
class MainTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldExitWithOneLineAndAHintWhenFlagIsUnknown() {
        // When
        Result result = run("run", "--confg", "instance.properties");

        // Then
        assertThat(result.code()).isEqualTo(Cli.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines()).containsExactly("error: Unknown option: '--confg'",
                "Try 'orderflow run --help' for the options.");
    }

    @Test
    void shouldSuggestTheNearestRoleWhenCommandIsMistyped() {
        // When
        Result result = run("intkae");

        // Then
        assertThat(result.code()).isEqualTo(Cli.USAGE);
        assertThat(result.err().lines()).containsExactly("error: Unknown command: 'intkae'", "Did you mean: intake?");
    }

    @Test
    void shouldSummarizeEachRoleInOneSentenceWhenListingCommands() {
        // When
        Result result = run("--help");

        // Then
        assertThat(result.code()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.subList(lines.indexOf("Commands:") + 1, lines.size())).containsExactly(
                "  run     Run one Orderflow instance against your Kafka cluster.",
                "  intake  Run the order intake alone: POST /orders to PostgreSQL.",
                "  help    Display help information about the specified command.");
    }
}
