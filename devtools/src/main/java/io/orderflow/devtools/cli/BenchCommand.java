package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Durations;
import io.orderflow.devtools.bench.BenchRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure sagas per second and end-to-end latency.",
                "%nLatency runs from an OrderPlaced record's timestamp to its terminal status, visible "
                        + "read_committed. Two baselines are measured in the same run on the same broker: the raw "
                        + "producer rate, and an exactly-once pass-through Streams app (counted from its first "
                        + "committed output, so its start-up is excluded). Writes a latency plot (PNG).",
                "%nWith --restore N: how long an instance takes to have its state again, without and with a "
                        + "standby.",
                "%nWith --intake: the outbox path instead (POST /orders -> PostgreSQL -> Debezium -> order.events), "
                        + "outbox events/s and outbox lag percentiles; with --intake --rate R, offered open-loop.",
                "%nWith --outbox-drain N: Debezium alone draining N outbox rows to order.events.",
                "%nStarts an embedded Kafka unless --bootstrap-server is given. Progress goes to stderr; with "
                        + "--json the last line of stdout is one JSON object.",
                "%nExit code 0 when every offered order reached a terminal status (with --intake: every posted "
                        + "order reached order.events; with --outbox-drain: every row did)."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--orders", defaultValue = "20000", paramLabel = "N",
            description = "orders offered at the maximum rate (default ${DEFAULT-VALUE})")
    int orders;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R",
            description = "offer R orders per second for --duration instead of the maximum rate")
    int rate;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
            description = "how long to offer orders with --rate (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", defaultValue = "60s", paramLabel = "DURATION",
            description = {"before the measured run, offer orders the same way (at --rate, or at the maximum rate) "
                    + "for this long and wait until they are all terminal; they are not measured. A fresh JVM "
                    + "holding the broker, Streams and the bench spends its first minute or so compiling (JIT), "
                    + "which would otherwise show as latency and CPU per saga (0s: no warm-up; default "
                    + "${DEFAULT-VALUE}; used by --intake only with --rate: --intake sends one order through the "
                    + "whole path first)"})
    String warmup;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", description = "an existing Kafka cluster")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
            description = "partitions of the topics created (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--skus", defaultValue = "1000", paramLabel = "N",
            description = "skus the orders spread over, each stocked so that orders confirm (default ${DEFAULT-VALUE})")
    int skus;

    @Option(names = "--customers", defaultValue = "2000", paramLabel = "N",
            description = "customers the orders spread over, each funded (default ${DEFAULT-VALUE})")
    int customers;

    @Option(names = "--in-flight", defaultValue = "5000", paramLabel = "N",
            description = {"at the maximum rate: at most N orders offered and not yet terminal, so that the run "
                    + "measures what the saga sustains rather than how long a backlog waits (0: offer everything at "
                    + "once; default ${DEFAULT-VALUE}). --rate runs are never bounded: every order is offered on "
                    + "schedule"})
    int inFlight;

    @Option(names = "--streams-config", paramLabel = "KEY=VALUE",
            description = {"a Kafka Streams setting for the saga instance and the pass-through baseline "
                    + "alike; repeatable; it wins over the bench's tuned settings. Example: commit.interval.ms=50"})
    List<String> streamsConfig = new ArrayList<>();

    @Option(names = "--plot", paramLabel = "FILE",
            description = "where the latency distribution plot (PNG, percentiles on a log scale) is written "
                    + "(default bench-latency.png, or bench-intake-lag.png with --intake, in the working directory)")
    Path plot;

    @Option(names = "--intake", description = {"measure the outbox path instead: orders posted with POST /orders "
            + "(concurrent clients) -> PostgreSQL -> Debezium on Kafka Connect -> order.events; reports outbox "
            + "events/s and outbox lag percentiles. Uses --orders (closed-loop), or --rate and --duration "
            + "(open-loop, lag from each order's due time, after --warmup at that rate), --clients, --plot, "
            + "--json; the intake's group "
            + "commit follows ORDERFLOW_INTAKE_BATCH_MAX, ORDERFLOW_INTAKE_BATCH_WRITERS and "
            + "ORDERFLOW_INTAKE_JDBC_POOL_SIZE when set"})
    boolean intake;

    @Option(names = "--clients", defaultValue = "32", paramLabel = "N",
            description = "concurrent HTTP clients with --intake, each a blocking keep-alive connection "
                    + "(default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--restore", defaultValue = "0", paramLabel = "N",
            description = {"measure restore times instead: fill the payment-accounts changelog with N accounts, "
                    + "then time an instance without local state until it runs (no standby), and a second "
                    + "instance that kept standby copies taking over every task when the first stops. Uses --json"})
    long restore;

    @Option(names = "--json", description = "end with one JSON line of the results")
    boolean json;

    @Option(names = "--outbox-drain", defaultValue = "0", paramLabel = "N",
            description = {"measure Debezium alone instead: with the outbox connector stopped, write N outbox rows "
                    + "straight into PostgreSQL as the intake does (1,000 per transaction, deleted again in it "
                    + "unless ORDERFLOW_INTAKE_OUTBOX_MODE=keep), resume the connector and time until all N events "
                    + "are visible read_committed on order.events; reports events/s from the first event to the "
                    + "last, and from the resume. Uses --connector-config, --worker-config, --json"})
    int outboxDrain;

    @Option(names = "--connector-config", paramLabel = "KEY=VALUE",
            description = {"with --intake or --outbox-drain: a setting over connectors/orders-outbox.json; "
                    + "repeatable. Example: max.batch.size=4096"})
    List<String> connectorConfig = new ArrayList<>();

    @Option(names = "--worker-config", paramLabel = "KEY=VALUE",
            description = {"with --intake or --outbox-drain: a setting of the embedded Connect worker; repeatable. "
                    + "Example: producer.linger.ms=5"})
    List<String> workerConfig = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (orders < 1 || orders > 10_000_000) {
            throw new IllegalArgumentException("--orders must be between 1 and 10000000, was " + orders);
        }
        if (rate < 0 || rate > 1_000_000) {
            throw new IllegalArgumentException("--rate must be between 1 and 1000000, was " + rate);
        }
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("--partitions must be between 1 and 1000, was " + partitions);
        }
        if (skus < 1 || skus > 1_000_000) {
            throw new IllegalArgumentException("--skus must be between 1 and 1000000, was " + skus);
        }
        if (customers < 1 || customers > 1_000_000) {
            throw new IllegalArgumentException("--customers must be between 1 and 1000000, was " + customers);
        }
        if (clients < 1 || clients > 1_000) {
            throw new IllegalArgumentException("--clients must be between 1 and 1000, was " + clients);
        }
        if (outboxDrain < 0 || outboxDrain > 10_000_000) {
            throw new IllegalArgumentException("--outbox-drain must be between 1 and 10000000, was " + outboxDrain);
        }
        if (outboxDrain > 0 && (intake || restore > 0)) {
            throw new IllegalArgumentException("--outbox-drain, --intake and --restore measure different things; "
                    + "give one");
        }
        if (inFlight < 0) {
            throw new IllegalArgumentException("--in-flight must be >= 0, was " + inFlight);
        }
        if (restore < 0 || restore > 100_000_000L) {
            throw new IllegalArgumentException("--restore must be between 1 and 100000000, was " + restore);
        }
        if (restore > 0 && intake) {
            throw new IllegalArgumentException("--restore and --intake measure different things; give one");
        }
        Map<String, String> settings = keyValues("--streams-config", streamsConfig);
        Duration d = Durations.parse("--duration", duration);
        Duration w = Durations.parseAllowingZero("--warmup", warmup);
        return new BenchRunner(new BenchRunner.Options(orders, rate, d, w, bootstrap, json, partitions, skus, customers,
                inFlight, Map.copyOf(settings),
                plot != null ? plot : Path.of(intake ? "bench-intake-lag.png" : "bench-latency.png"), intake, clients,
                restore, outboxDrain, keyValues("--connector-config", connectorConfig),
                keyValues("--worker-config", workerConfig))).run();
    }

    private static Map<String, String> keyValues(String option, List<String> values) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String setting : values) {
            int eq = setting.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(option + " takes KEY=VALUE, was '" + setting + "'");
            }
            settings.put(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
        }
        return Map.copyOf(settings);
    }
}
