package io.orderflow.app.cli;

import io.orderflow.app.bench.BenchRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure sagas completed per second and end-to-end latency (OrderPlaced record timestamp to",
                "the terminal status visible read_committed), against two baselines measured in the same run on",
                "the same broker: the raw producer rate and an exactly-once pass-through Streams app.",
                "Starts an embedded Kafka unless --bootstrap-server is given. --json: the last line is one JSON",
                "object. Exit 0 when every offered order reached a terminal status."})
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

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT", description = "an existing Kafka cluster")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
            description = "partitions of the topics created (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--skus", defaultValue = "20", paramLabel = "N",
            description = "skus the orders spread over, each stocked so that orders confirm (default ${DEFAULT-VALUE})")
    int skus;

    @Option(names = "--customers", defaultValue = "200", paramLabel = "N",
            description = "customers the orders spread over, each funded (default ${DEFAULT-VALUE})")
    int customers;

    @Option(names = "--in-flight", defaultValue = "5000", paramLabel = "N",
            description = {"at most N orders offered and not yet terminal, so that a run at the maximum rate measures "
                    + "what the saga sustains rather than how long a backlog waits (0: offer everything at once; "
                    + "default ${DEFAULT-VALUE})"})
    int inFlight;

    @Option(names = "--streams-config", paramLabel = "KEY=VALUE",
            description = {"a Kafka Streams setting for the saga instance and the pass-through baseline alike, "
                    + "e.g. commit.interval.ms=50; repeatable; wins over the bench's tuned settings"})
    Map<String, String> streamsConfig = new LinkedHashMap<>();

    @Option(names = "--json", description = "end with one JSON line of the results")
    boolean json;

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
        if (inFlight < 0) {
            throw new IllegalArgumentException("--in-flight must be >= 0, was " + inFlight);
        }
        Duration d = Durations.parse("--duration", duration);
        return new BenchRunner(new BenchRunner.Options(orders, rate, d, bootstrap, json, partitions, skus, customers,
                inFlight, Map.copyOf(streamsConfig))).run();
    }
}
