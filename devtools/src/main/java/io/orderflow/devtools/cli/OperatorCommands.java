package io.orderflow.devtools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.domain.Text;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code saga sagas} and {@code saga dlq}: the operator's view from the command line, for scripts — the same API
 * as {@code GET /sagas} and {@code /dead-letters} (docs/operations.md, "The operator's view"), through any instance.
 * Exit code 0, 1 when the instance refuses or cannot be reached (its message on stderr), 2 for bad flags.
 */
final class OperatorCommands {
    private OperatorCommands() {
    }

    /** What every operator command shares: the API, and printing. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        OperatorApi api;

        @Option(names = "--json", description = "print the API's JSON answer as it is")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                OperatorApi.Answer answer = ask();
                if (!answer.ok()) {
                    err.println("error: " + answer.error());
                    return SagaCommand.FAILED;
                }
                if (json) {
                    out.println(answer.body().toPrettyString());
                } else {
                    print(answer.body(), out);
                }
                return 0;
            } catch (OperatorApi.Unreachable e) {
                err.println("error: " + e.getMessage());
                return SagaCommand.FAILED;
            } finally {
                out.flush();
                err.flush();
            }
        }

        abstract OperatorApi.Answer ask();

        void print(JsonNode body, PrintWriter out) {
            out.println(body.toPrettyString());
        }
    }

    /** The action commands' {@code --reason}, required: it goes on the action's record. */
    abstract static class Action extends Base {
        @Option(names = "--reason", required = true, paramLabel = "TEXT",
                description = "why, for the audit record on the topic (required)")
        String reason;

        @Override
        void print(JsonNode body, PrintWriter out) {
            out.printf("%s %s written to %s partition %d offset %d by %s%n", body.path("action").asText(),
                    body.has("orderId") ? body.path("orderId").asText() : body.path("deadLetter").asText(),
                    body.path("topic").asText(), body.path("partition").asInt(), body.path("offset").asLong(),
                    body.path("operator").asText());
        }
    }

    @Command(name = "sagas", mixinStandardHelpOptions = true,
            description = {"Find sagas by status and age, or compensate or re-send one.",
                    "%nThrough any instance's operator API (a token with the role operator). Exit code 0, 1 when "
                            + "the instance refuses or cannot be reached, 2 for bad flags."},
            subcommands = {SagasList.class, SagasShow.class, SagasTimeline.class, SagasCompensate.class,
                    SagasResend.class})
    static final class Sagas implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show, "
                    + "compensate or resend");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List sagas, oldest first: by default those still running.")
    static final class SagasList extends Base {
        @Option(names = "--status", paramLabel = "STATUS[,STATUS…]",
                description = "PLACED, AWAITING, COMPENSATING, CONFIRMED, CANCELLED (default: running ones)")
        String status;

        @Option(names = "--older-than", paramLabel = "DURATION", description = "placed longer ago, e.g. 10s or 5m")
        String olderThan;

        @Option(names = "--customer", paramLabel = "ID", description = "only this customer's")
        String customer;

        @Option(names = "--from", paramLabel = "CURSOR", description = "the 'next' of a previous page")
        String from;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "1 to 1000 (default 100)")
        int limit;

        @Override
        OperatorApi.Answer ask() {
            return api.get("/sagas" + OperatorApi.query("status", status, "olderThan", olderThan, "customerId",
                    customer, "from", from, "limit", Integer.toString(limit)));
        }

        @Override
        void print(JsonNode body, PrintWriter out) {
            out.printf("%-24s %-16s %-13s %8s  %s%n", "ORDER", "CUSTOMER", "STATUS", "AGE", "AWAITING");
            long now = System.currentTimeMillis();
            for (JsonNode saga : body.path("items")) {
                StringBuilder awaiting = new StringBuilder();
                saga.path("awaiting").forEach(a -> awaiting.append(awaiting.length() == 0 ? "" : ", ").append(a.asText()));
                out.printf("%-24s %-16s %-13s %8s  %s%n", saga.path("orderId").asText(),
                        saga.path("customerId").asText(), saga.path("status").asText()
                                + (saga.path("reason").isNull() ? "" : "(" + saga.path("reason").asText() + ")"),
                        age(now - saga.path("placedAt").asLong()), awaiting);
            }
            if (!body.path("next").isNull()) {
                out.println("more: --from " + body.path("next").asText());
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one order's saga.")
    static final class SagasShow extends Base {
        @Parameters(paramLabel = "ORDER_ID")
        String orderId;

        @Override
        OperatorApi.Answer ask() {
            return api.get("/sagas/" + encoded(orderId));
        }
    }

    @Command(name = "timeline", mixinStandardHelpOptions = true,
            description = "Show what an order's saga read and sent, in order, with where.")
    static final class SagasTimeline extends Base {
        @Parameters(paramLabel = "ORDER_ID")
        String orderId;

        @Override
        OperatorApi.Answer ask() {
            return api.get("/orders/" + encoded(orderId) + "/timeline");
        }

        @Override
        void print(JsonNode body, PrintWriter out) {
            if (body.path("truncated").asInt() > 0) {
                out.println("(" + body.path("truncated").asInt() + " older entries dropped)");
            }
            for (JsonNode entry : body.path("entries")) {
                boolean received = "RECEIVED".equals(entry.path("direction").asText());
                out.printf("%s  %-8s %-40s %-34s %s%n",
                        Instant.ofEpochMilli(entry.path("at").asLong()), received ? "read" : "sent",
                        entry.path("what").asText(), entry.path("topic").asText() + (received
                                ? "-" + entry.path("partition").asInt() + "@" + entry.path("offset").asLong() : ""),
                        entry.path("instance").asText());
            }
        }
    }

    /** {@code POST /sagas/{id}/<action>} with the reason. */
    abstract static class SagaAction extends Action {
        @Parameters(paramLabel = "ORDER_ID")
        String orderId;

        /** The action's path segment. */
        abstract String action();

        @Override
        OperatorApi.Answer ask() {
            return api.post("/sagas/" + encoded(orderId) + "/" + action(), Map.of("reason", reason));
        }
    }

    @Command(name = "compensate", mixinStandardHelpOptions = true,
            description = "End a saga still awaiting replies now: it gives back what it holds.")
    static final class SagasCompensate extends SagaAction {
        @Override
        String action() {
            return "compensate";
        }
    }

    @Command(name = "resend", mixinStandardHelpOptions = true,
            description = "Have a saga send its outstanding commands again (each is applied once).")
    static final class SagasResend extends SagaAction {
        @Override
        String action() {
            return "resend";
        }
    }

    @Command(name = "dlq", mixinStandardHelpOptions = true,
            description = {"List, show or redrive the dead letters of orderflow.dlq.",
                    "%nThrough any instance's operator API (a token with the role operator). Exit code 0, 1 when "
                            + "the instance refuses or cannot be reached, 2 for bad flags."},
            subcommands = {DlqList.class, DlqShow.class, DlqRedrive.class})
    static final class Dlq implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show or redrive");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, oldest first.")
    static final class DlqList extends Base {
        @Option(names = "--topic", paramLabel = "TOPIC", description = "only those from this topic")
        String topic;

        @Option(names = "--reason", paramLabel = "REASON", description = "only those with this reason")
        String reason;

        @Option(names = "--from", paramLabel = "INSTANT|CURSOR",
                description = "from an instant (2026-12-05T10:00:00Z) or a previous page's 'next'")
        String from;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "1 to 1000 (default 100)")
        int limit;

        @Override
        OperatorApi.Answer ask() {
            return api.get("/dead-letters" + OperatorApi.query("topic", topic, "reason", reason, "from", from,
                    "limit", Integer.toString(limit)));
        }

        @Override
        void print(JsonNode body, PrintWriter out) {
            out.printf("%-14s %-20s %-32s %-16s %s%n", "PARTITION/OFF", "TIME", "FROM", "REASON", "VALUE");
            for (JsonNode letter : body.path("items")) {
                String value = "text".equals(letter.path("valueEncoding").asText())
                        ? letter.path("value").asText() : "(" + letter.path("valueEncoding").asText() + ")";
                out.printf("%-14s %-20s %-32s %-16s %s%n", letter.path("partition").asInt() + "/"
                                + letter.path("offset").asLong(),
                        Instant.ofEpochMilli(letter.path("timestamp").asLong()).toString().replaceFirst("\\.\\d+Z$", "Z"),
                        letter.path("sourceTopic").asText() + "-" + letter.path("sourcePartition").asText() + "@"
                                + letter.path("sourceOffset").asText(),
                        letter.path("reason").asText(), Text.abbreviate(value.replace('\n', ' '), 60));
            }
            if (!body.path("next").isNull()) {
                out.println("more: --from " + body.path("next").asText());
            }
            if (!body.path("complete").asBoolean(true)) {
                out.println("(the log is longer than one request reads: narrow it with --from)");
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter whole.")
    static final class DlqShow extends Base {
        @Parameters(index = "0", paramLabel = "PARTITION")
        int partition;

        @Parameters(index = "1", paramLabel = "OFFSET")
        long offset;

        @Override
        OperatorApi.Answer ask() {
            return api.get("/dead-letters/orderflow.dlq/" + partition + "/" + offset);
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Re-produce a dead letter to its ingress topic, as it was or corrected.")
    static final class DlqRedrive extends Action {
        @Parameters(index = "0", paramLabel = "PARTITION")
        int partition;

        @Parameters(index = "1", paramLabel = "OFFSET")
        long offset;

        @Option(names = "--value-file", paramLabel = "FILE",
                description = "the corrected value to send instead of the letter's (UTF-8 text)")
        Path valueFile;

        @Override
        OperatorApi.Answer ask() {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("reason", reason);
            if (valueFile != null) {
                try {
                    body.put("value", Files.readString(valueFile));
                } catch (IOException e) {
                    throw new OperatorApi.Unreachable("cannot read --value-file " + valueFile + ": " + e.getMessage());
                }
            }
            return api.post("/dead-letters/orderflow.dlq/" + partition + "/" + offset + "/redrive", body);
        }
    }

    private static String encoded(String id) {
        return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String age(long millis) {
        Duration age = Duration.ofMillis(Math.max(0, millis));
        if (age.toHours() > 0) {
            return age.toHours() + "h" + age.toMinutesPart() + "m";
        }
        if (age.toMinutes() > 0) {
            return age.toMinutes() + "m" + age.toSecondsPart() + "s";
        }
        return age.toSeconds() + "s";
    }
}
