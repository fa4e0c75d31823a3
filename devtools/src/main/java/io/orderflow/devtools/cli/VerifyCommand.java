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

@Command(name = "verify", mixinStandardHelpOptions = true, sortSynopsis = false,
        description = {"Check a cluster's invariants from its topics alone.",
                "%nChecks that every order ended CONFIRMED or CANCELLED, that its versions are numbered 1 to n "
                        + "without gaps or duplicates, that stock and money add up, that the read models equal the replay of "
                        + "order.status, that no output record is unreadable, that every refused ingress record has "
                        + "a dead letter, that state lives in the partition its key hashes to, and that no "
                        + "transaction is left open.",
                "%nReads the Orderflow topics and the changelogs of inventory-stock, payment-accounts, orders-view, "
                        + "customer-orders-view and order-saga with read_committed. Run it when traffic has stopped.",
                "%nExit code 0 when every invariant holds, 1 when one is violated or the cluster cannot be read, "
                        + "2 for bad flags."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT",
            description = "Kafka brokers, host:port[,host:port]")
    String bootstrapServer;

    @Option(names = "--schema-registry", defaultValue = "local:", paramLabel = "URL",
            description = "the instances' schema.registry.url, local: or an http(s) URL (default ${DEFAULT-VALUE})")
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
