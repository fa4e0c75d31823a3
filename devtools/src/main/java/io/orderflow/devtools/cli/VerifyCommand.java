package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Durations;
import io.orderflow.verify.Verifier;
import io.orderflow.verify.VerifyOptions;
import io.orderflow.invariants.InvariantReport;
import io.orderflow.topology.OrderflowConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check that an Orderflow cluster is consistent, from its topics alone: every order",
                "ended CONFIRMED or CANCELLED, versions 1..n without gaps or duplicates, stock and",
                "money add up, the read models equal the replay of order.status, no output record",
                "is unreadable, no ingress record was lost, and no transaction is left open.",
                "Reads the Orderflow topics and the changelogs of inventory-stock, payment-accounts,",
                "orders-view and customer-orders-view with read_committed. Run it when traffic has",
                "stopped. Exit code 0 when every invariant holds, 1 when one is violated or the",
                "cluster cannot be read, 2 for bad flags."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT",
            description = "Kafka brokers, host:port[,host:port]")
    String bootstrapServer;

    @Option(names = "--schema-registry", defaultValue = "local:", paramLabel = "URL",
            description = "the instances' schema.registry.url: local: or http(s)://host:port (default ${DEFAULT-VALUE})")
    String schemaRegistry;

    @Option(names = "--application-id", defaultValue = OrderflowConfig.APPLICATION_ID, paramLabel = "ID",
            description = "the instances' application.id, which names the changelog topics (default ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--json", description = "end stdout with the report as one line of JSON")
    boolean json;

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "how long to wait for Kafka to answer, and the longest reading may go without progress "
                    + "(default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "properties file with Kafka client settings, e.g. security.protocol, sasl.*, ssl.*")
    Path commandConfig;

    @Override
    public Integer call() {
        VerifyOptions options = VerifyOptions.of(bootstrapServer, schemaRegistry, applicationId,
                Durations.parse("--timeout", timeout), commandConfig);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InvariantReport report = new Verifier(options, err).run();
        out.print(report);
        if (json) {
            out.println(report.toJson());
        }
        out.flush();
        return report.ok() ? 0 : SagaCommand.FAILED;
    }
}
