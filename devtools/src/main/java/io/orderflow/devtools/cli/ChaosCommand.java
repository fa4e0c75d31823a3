package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Durations;
import io.orderflow.devtools.chaos.ChaosReport;
import io.orderflow.devtools.chaos.ChaosRunner;
import io.orderflow.devtools.chaos.FaultKind;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Prove exactly-once under crashes and hostile input.",
                "%nStarts an embedded Kafka and N instances as separate JVMs (saga run), drives a seeded workload "
                        + "over a few hot skus and customers (cancellations, deposits, stale-version adjustments, "
                        + "duplicates, invalid orders, unreadable and 1 MiB records, records on a partition their key "
                        + "does not hash to), injects faults at seeded moments, waits until the cluster is at rest, "
                        + "stops it, and runs saga verify over the topics.",
                "%nFaults: SIGKILLs of instances (restarted alternately on their state directory and wiped), and "
                        + "with --brokers 3 of brokers (the transaction coordinator and the active controller "
                        + "included); SIGSTOPs of instances and brokers past their session timeouts; network "
                        + "partitions (each process on a host of its own, in a Linux network namespace; needs root); "
                        + "with --via outbox, SIGKILLs of the Kafka Connect worker and PostgreSQL restarts.",
                "%nPrints every fault with its stall (last terminal status before it to the first after), the time "
                        + "until every instance is /ready again and until saga_pending is back to its level before "
                        + "the fault (p50/max per kind), orders, outcomes, dead letters, the ingress reconciliation "
                        + "(sent = in = taken + dead-lettered), with --via outbox the intake's reconciliation (each "
                        + "order the intake acknowledged is published to order.events once and ends once), and "
                        + "every invariant.",
                "%nExit code 0 only when every invariant holds; 1 otherwise; 2 for bad flags."})
final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--instances", defaultValue = "3", paramLabel = "N",
            description = "instances, each its own JVM (default ${DEFAULT-VALUE})")
    int instances;

    @Option(names = "--orders", defaultValue = "20000", paramLabel = "N",
            description = "orders the workload places (default ${DEFAULT-VALUE})")
    int orders;

    @Option(names = "--kills", defaultValue = "6", paramLabel = "N",
            description = "SIGKILLs at random moments during the load (default ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--seed", paramLabel = "S",
            description = "seed of the workload, the victims and the moments (default: random, printed)")
    Long seed;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "R",
            description = "ingress records offered per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--processing-guarantee", defaultValue = StreamsConfig.EXACTLY_ONCE_V2, paramLabel = "G",
            description = "exactly_once_v2 or at_least_once, to see what the verifier finds without "
                    + "exactly-once (default ${DEFAULT-VALUE})")
    String processingGuarantee;

    @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
            description = "partitions of every topic (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--quiesce-timeout", defaultValue = "300s", paramLabel = "DURATION",
            description = "how long to wait after the load for the cluster to come to rest (default ${DEFAULT-VALUE})")
    String quiesceTimeout;

    @Option(names = "--json", description = "end stdout with the report as one line of JSON")
    boolean json;

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "N",
            description = "Kafka nodes: 1 in this JVM, or a KRaft cluster of N JVMs with replication 3 and "
                    + "min.insync.replicas 2 (default ${DEFAULT-VALUE})")
    int brokers;

    @Option(names = "--broker-kills", defaultValue = "0", paramLabel = "N",
            description = "SIGKILLs of a random broker, each started again on its data after 5-15 s; needs "
                    + "--brokers 3 or more (default ${DEFAULT-VALUE})")
    int brokerKills;

    @Option(names = "--pauses", defaultValue = "0", paramLabel = "N",
            description = "SIGSTOPs of a random instance, each resumed with SIGCONT after 8-20 s, past its session "
                    + "and transaction timeouts: a zombie Kafka must fence (default ${DEFAULT-VALUE})")
    int pauses;

    @Option(names = "--broker-pauses", defaultValue = "0", paramLabel = "N",
            description = "SIGSTOPs of a broker, each resumed after 8-20 s, past its broker session timeout; needs "
                    + "--brokers 3 or more (default ${DEFAULT-VALUE})")
    int brokerPauses;

    @Option(names = "--network-partitions", defaultValue = "0", paramLabel = "N",
            description = "network partitions, alternately of an instance and (with --brokers 3 or more) of a "
                    + "broker: its host is cut off for 8-20 s, then healed. Runs every process on a host of its own "
                    + "(a network namespace), which needs root (default ${DEFAULT-VALUE})")
    int networkPartitions;

    @Option(names = "--via", defaultValue = "topics", paramLabel = "PATH",
            description = "how orders enter: topics (straight onto order.events) or outbox (POST /orders to the "
                    + "intake, PostgreSQL's outbox, Debezium on a Kafka Connect worker of its own) "
                    + "(default ${DEFAULT-VALUE})")
    String via;

    @Option(names = "--connect-kills", defaultValue = "0", paramLabel = "N",
            description = "SIGKILLs of the Connect worker, each restarted after 2-8 s; needs --via outbox "
                    + "(default ${DEFAULT-VALUE})")
    int connectKills;

    @Option(names = "--postgres-restarts", defaultValue = "0", paramLabel = "N",
            description = "PostgreSQL crashed (immediate shutdown: connections cut, no checkpoint) and started "
                    + "again after 2-6 s; needs --via outbox (default ${DEFAULT-VALUE})")
    int postgresRestarts;

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : System.nanoTime() & 0xffff_ffffL;
        ChaosRunner.Via path = switch (via) {
            case "topics", "topic" -> ChaosRunner.Via.TOPICS;
            case "outbox" -> ChaosRunner.Via.OUTBOX;
            default -> throw new IllegalArgumentException("--via must be topics or outbox, was " + via);
        };
        Map<FaultKind, Integer> faults = new EnumMap<>(FaultKind.class);
        faults.put(FaultKind.INSTANCE_KILL, kills);
        faults.put(FaultKind.BROKER_KILL, brokerKills);
        faults.put(FaultKind.INSTANCE_PAUSE, pauses);
        faults.put(FaultKind.BROKER_PAUSE, brokerPauses);
        // Alternately an instance and a broker, the instance first; only instances on a single broker.
        int brokerPartitions = brokers >= 3 ? networkPartitions / 2 : 0;
        faults.put(FaultKind.INSTANCE_PARTITION, networkPartitions - brokerPartitions);
        faults.put(FaultKind.BROKER_PARTITION, brokerPartitions);
        faults.put(FaultKind.CONNECT_KILL, connectKills);
        faults.put(FaultKind.POSTGRES_RESTART, postgresRestarts);
        ChaosRunner.Options options = new ChaosRunner.Options(instances, orders, s, rate, processingGuarantee,
                partitions, Durations.parse("--quiesce-timeout", quiesceTimeout), json, brokers, path, faults);
        ChaosReport report = new ChaosRunner(options, System.out, System.err).run();
        return report.ok() ? 0 : SagaCommand.FAILED;
    }
}
