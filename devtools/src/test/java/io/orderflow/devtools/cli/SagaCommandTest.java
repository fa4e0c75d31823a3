package io.orderflow.devtools.cli;

import io.orderflow.devtools.it.BrokerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on the command line gets one clear line and exit code 2, never a stack trace or the whole usage; a flag
 * or command the command line does not know adds one line saying where to look. Help reads well at 80 columns.
 */
class SagaCommandTest {

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SagaCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldListEveryCommandWhenAskedForHelp() {
        Result result = run("--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("demo", "run", "intake", "verify", "bench", "chaos", "console-producer",
                "console-consumer");
    }

    @Test
    void shouldSummarizeEachCommandInOneSentenceWhenListingCommands() {
        // When
        Result result = run("--help");

        // Then every row of the Commands list is one line: the name and a whole sentence
        List<String> lines = result.out().lines().toList();
        List<String> rows = lines.subList(lines.indexOf("Commands:") + 1, lines.size());
        assertThat(rows).hasSize(SagaCommand.commandLine().getSubcommands().size())
                .allSatisfy(row -> assertThat(row).matches(" {2}[a-z-]+ {2,}[A-Z].*\\."));
    }

    @Test
    void shouldWrapHelpAtWordsWhenPrintedAt80Columns() {
        // Given every command's help as printed to a pipe (picocli's width: 80 columns)
        CommandLine saga = SagaCommand.commandLine();
        List<CommandLine> commands = new ArrayList<>(List.of(saga));
        commands.addAll(saga.getSubcommands().values());

        for (CommandLine command : commands) {
            // When
            String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);

            // Then no line is wider, and none is broken inside a name such as http.port or HOST:PORT
            assertThat(help.lines()).as(command.getCommandName()).allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(80));
            assertThat(brokenNames(help)).as(command.getCommandName()).isEmpty();
        }
    }

    @Test
    void shouldExitWithOneLineAndAHintWhenFlagIsUnknown() {
        // When
        Result result = run("demo", "--ordres", "5");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().lines()).containsExactly("error: Unknown option: '--ordres'",
                "Try 'saga demo --help' for the options.");
    }

    @Test
    void shouldSuggestTheNearestCommandWhenCommandIsMistyped() {
        // When
        Result swapped = run("dmeo");
        Result missing = run("verfy");

        // Then
        assertThat(swapped.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(swapped.err().lines()).containsExactly("error: Unknown command: 'dmeo'", "Did you mean: demo?");
        assertThat(missing.err().lines()).containsExactly("error: Unknown command: 'verfy'", "Did you mean: verify?");
    }

    @Test
    void shouldPointToHelpWhenNoCommandIsNear() {
        // When
        Result result = run("deploy");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err().lines()).containsExactly("error: Unknown command: 'deploy'",
                "Try 'saga --help' for the commands.");
    }

    @Test
    void shouldExitWithOneLineAndAHintWhenArgumentIsUnexpected() {
        // When
        Result result = run("demo", "now");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err().lines()).containsExactly("error: Unexpected argument: 'now'",
                "Try 'saga demo --help' for the options.");
    }

    @Test
    void shouldExitWithUsageErrorWhenOrdersIsNegative() {
        Result result = run("demo", "--orders", "-1");
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("--orders must be between 0 and 1000000");
    }

    @Test
    void shouldExitWithUsageErrorWhenOrdersIsNotANumber() {
        Result result = run("demo", "--orders", "many");
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err().lines()).containsExactly(
                "error: Invalid value for option '--orders': 'many' is not an int",
                "Try 'saga demo --help' for the options.");
    }

    @Test
    void shouldExitWithUsageErrorWhenSagaTimeoutIsNotADuration() {
        Result result = run("demo", "--saga-timeout", "soon");
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("--saga-timeout must be a duration");
    }

    @Test
    void shouldExitWithUsageErrorWhenConfigFileIsMissing(@TempDir Path dir) {
        Result result = run("run", "--config", dir.resolve("nope.properties").toString());
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("does not exist");
    }

    @Test
    void shouldNameTheKeyWhenBootstrapServersIsMissing(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("instance.properties"), "http.port=8099\n");
        Result result = run("run", "--config", config.toString());
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err()).contains("bootstrap.servers is required").contains("ORDERFLOW_BOOTSTRAP_SERVERS");
    }

    @Test
    void shouldRefuseToStartNamingTheChoiceWhenHttpAuthIsNotSet(@TempDir Path dir) throws Exception {
        // Given a config that names a broker (never reached) but not how HTTP callers are checked
        Path config = Files.writeString(dir.resolve("instance.properties"),
                "bootstrap.servers=127.0.0.1:1\nhttp.port=8099\n");

        // When
        Result run = run("run", "--config", config.toString());
        Result intake = run("intake", "--config", Files.writeString(dir.resolve("intake.properties"),
                "intake.jdbc.url=jdbc:postgresql://127.0.0.1:1/x\n").toString());

        // Then
        for (Result result : List.of(run, intake)) {
            assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
            assertThat(result.err()).contains("http.auth is not set: set http.auth=tokens with "
                    + "http.auth.tokens.file").contains("http.auth=none").doesNotContain("Exception");
        }
    }

    @Test
    void shouldExitWithUsageErrorWhenBenchFlagsAreOutOfRange() {
        assertThat(run("bench", "--orders", "0").err()).contains("--orders must be between");
        assertThat(run("bench", "--rate", "-5").code()).isEqualTo(SagaCommand.USAGE);
        assertThat(run("bench", "--duration", "soon").err()).contains("--duration must be a duration");
    }

    @Test
    void shouldExitWithUsageErrorWhenChaosFlagsAreOutOfRange() {
        assertThat(run("chaos", "--instances", "0").err()).contains("--instances must be between 1 and 9");
        assertThat(run("chaos", "--orders", "-1").code()).isEqualTo(SagaCommand.USAGE);
        assertThat(run("chaos", "--kills", "-2").err()).contains("--kills must be between");
        assertThat(run("chaos", "--processing-guarantee", "exactly_once").err())
                .contains("--processing-guarantee must be exactly_once_v2 or at_least_once");
        assertThat(run("chaos", "--quiesce-timeout", "later").code()).isEqualTo(SagaCommand.USAGE);
    }

    @Test
    void shouldExitWithOneLineWhenBenchTuningOrIntakeFlagsAreBad() {
        // Given / When
        Result clients = run("bench", "--intake", "--clients", "0");
        Result setting = run("bench", "--streams-config", "commit.interval.ms");
        Result drainAndIntake = run("bench", "--intake", "--outbox-drain", "100");
        Result connectorSetting = run("bench", "--outbox-drain", "100", "--connector-config", "max.batch.size");
        Result inFlight = run("bench", "--in-flight", "-1");
        Result skus = run("bench", "--skus", "0");
        Result warmup = run("bench", "--warmup", "-5s");

        // Then
        assertThat(clients.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(clients.err().strip()).isEqualTo("error: --clients must be between 1 and 1000, was 0");
        assertThat(setting.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(setting.err().strip()).isEqualTo("error: --streams-config takes KEY=VALUE, was 'commit.interval.ms'");
        assertThat(drainAndIntake.err()).contains("--outbox-drain, --intake and --restore measure different things");
        assertThat(connectorSetting.err().strip())
                .isEqualTo("error: --connector-config takes KEY=VALUE, was 'max.batch.size'");
        assertThat(inFlight.err()).contains("--in-flight must be >= 0");
        assertThat(skus.err()).contains("--skus must be between 1 and 1000000");
        assertThat(warmup.err().strip())
                .isEqualTo("error: --warmup must be a duration such as 0s, 30s, 5m or 500ms, was '-5s'");
        assertThat(List.of(clients, setting, drainAndIntake, connectorSetting, inFlight, skus, warmup)).allSatisfy(r -> {
            assertThat(r.code()).isEqualTo(SagaCommand.USAGE);
            assertThat(r.err().strip().lines()).hasSize(1);
        });
    }

    @Test
    void shouldDescribeTheSchemaRegistryFlagWhenDemoHelpIsAsked() {
        // Given / When
        Result result = run("demo", "--help");

        // Then
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("--schema-registry=URL").contains("Confluent-compatible Schema Registry")
                .contains("(default local:)");
    }

    @Test
    void shouldExitWithUsageErrorWhenSchemaRegistryIsNotAUrl() {
        // Given / When
        Result result = run("demo", "--schema-registry", "localhost:8081");

        // Then
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err().strip()).isEqualTo("error: --schema-registry must be local: or one or more "
                + "comma-separated http(s):// URLs of a Schema Registry, was 'localhost:8081'");
    }

    @Test
    void shouldFailBeforeStartingAnythingWhenTheSchemaRegistryCannotBeReached() {
        // Given a registry URL nobody answers on
        String registry = "http://127.0.0.1:" + BrokerFixture.freePort();

        // When
        Result result = run("demo", "--via", "topic", "--exit", "--schema-registry", registry,
                "--kafka-port", Integer.toString(BrokerFixture.freePort()),
                "--http-port", Integer.toString(BrokerFixture.freePort()));

        // Then one line naming the registry, the subject and the attempts
        assertThat(result.code()).isEqualTo(SagaCommand.FAILED);
        assertThat(result.err().strip()).startsWith("error: cannot reach schema registry at " + registry + ": ")
                .contains("subject 'order.status-value'").endsWith("attempt(s)");
        assertThat(result.err().strip().lines()).hasSize(1);
    }

    @Test
    void shouldRequireConfigWhenRunIsCalledWithoutIt() {
        Result result = run("run");
        assertThat(result.code()).isEqualTo(SagaCommand.USAGE);
        assertThat(result.err().lines()).containsExactly("error: Missing required option: '--config=FILE'",
                "Try 'saga run --help' for the options.");
    }

    /**
     * Lines that end inside a name: picocli breaks lines at dots and colons too (http.|port, HOST:|PORT). A
     * sentence's last word, "e.g." and the rows of the Commands list are not names.
     */
    private static List<String> brokenNames(String help) {
        List<String> lines = help.lines().toList();
        List<String> broken = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            String line = lines.get(i);
            String next = lines.get(i + 1);
            boolean nextIsCommandRow = next.matches(" {2}[a-z-]+ {2,}\\S.*");
            boolean atDot = line.matches(".*[\\w.]\\.") && !line.endsWith("e.g.")
                    && next.strip().matches("[a-z0-9].*") && !nextIsCommandRow;
            boolean atColon = line.matches(".*[A-Z]:");
            if (atDot || atColon) {
                broken.add(line + " | " + next.strip());
            }
        }
        return broken;
    }
}
