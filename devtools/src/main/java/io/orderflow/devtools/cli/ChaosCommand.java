package io.orderflow.devtools.cli;

import io.orderflow.server.cli.Durations;
import io.orderflow.devtools.chaos.ChaosReport;
import io.orderflow.devtools.chaos.ChaosRunner;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Prove exactly-once under crashes and hostile input.",
                "%nStarts an embedded Kafka and N instances as separate JVMs (saga run), drives a seeded workload "
                        + "over a few hot skus and customers (cancellations, deposits, stale-version adjustments, "
                        + "duplicates, invalid orders, unreadable and 1 MiB records, records on a partition their key "
                        + "does not hash to), SIGKILLs a random instance at random moments and restarts it "
                        + "(alternately on its state directory and wiped), waits until the cluster is at rest, stops "
                        + "it, and runs saga verify over the topics. With --brokers 3 and --broker-kills, Kafka is a "
                        + "cluster of JVMs and brokers are SIGKILLed too.",
                "%nPrints kills, orders, outcomes, dead letters, the ingress reconciliation (sent = in = taken + "
                        + "dead-lettered) and every invariant.",
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

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : System.nanoTime() & 0xffff_ffffL;
        ChaosRunner.Options options = new ChaosRunner.Options(instances, orders, kills, s, rate,
                processingGuarantee, partitions, Durations.parse("--quiesce-timeout", quiesceTimeout), json, brokers,
                brokerKills, pauses);
        ChaosReport report = new ChaosRunner(options, System.out, System.err).run();
        return report.ok() ? 0 : SagaCommand.FAILED;
    }
}
