package io.orderflow.devtools.cli;

import io.orderflow.devtools.bench.SoakRunner;
import io.orderflow.server.cli.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Show that state stays bounded under orders without end.",
                "%nOffers orders at --rate (one in 20 cancelled by its customer) to an instance with "
                        + "saga.retention set to --retention, and every --sample measures, for each store that keeps "
                        + "something per order (order-saga, payment-orders, inventory-orders, orders-view), its "
                        + "entries, its RocksDB size and its changelog's size on the broker. Ended sagas are "
                        + "deleted one retention after they end, the other entries two, so after about two "
                        + "retentions the figures must stop growing.",
                "%nPrints a line per sample to stderr; at the end, for each store, the peaks of its figures in "
                        + "the first and second half of the samples after two retentions, and Soak: FLAT or GROWING. Writes the samples as CSV and a plot (PNG). Starts an embedded "
                        + "Kafka; the changelogs roll segments every 30 s so that compaction shows within the run.",
                "%nExit code 0 when no figure peaks more than 25 %% higher in the second half than in the first; "
                        + "1 when one did or the run was too short to tell; 2 for bad flags."})
final class SoakCommand implements Callable<Integer> {
    @Option(names = "--orders", defaultValue = "1000000", paramLabel = "N",
            description = "orders offered (default ${DEFAULT-VALUE})")
    long orders;

    @Option(names = "--rate", defaultValue = "1500", paramLabel = "R",
            description = "orders offered per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--retention", defaultValue = "60s", paramLabel = "DURATION",
            description = "saga.retention of the instance (default ${DEFAULT-VALUE})")
    String retention;

    @Option(names = "--retention-scan", defaultValue = "5s", paramLabel = "DURATION",
            description = "saga.retention.scan.interval of the instance (default ${DEFAULT-VALUE})")
    String retentionScan;

    @Option(names = "--sample", defaultValue = "15s", paramLabel = "DURATION",
            description = "how often the stores and changelogs are measured (default ${DEFAULT-VALUE})")
    String sample;

    @Option(names = "--partitions", defaultValue = "6", paramLabel = "N",
            description = "partitions of the topics created (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--plot", defaultValue = "soak.png", paramLabel = "FILE",
            description = "the plot, as PNG (default ${DEFAULT-VALUE})")
    Path plot;

    @Option(names = "--csv", defaultValue = "soak.csv", paramLabel = "FILE",
            description = "the samples, as CSV (default ${DEFAULT-VALUE})")
    Path csv;

    @Option(names = "--json", description = "end with one JSON line of the results")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (orders < 1 || orders > 100_000_000L) {
            throw new IllegalArgumentException("--orders must be between 1 and 100000000, was " + orders);
        }
        if (rate < 1 || rate > 100_000) {
            throw new IllegalArgumentException("--rate must be between 1 and 100000, was " + rate);
        }
        if (partitions < 1 || partitions > 1000) {
            throw new IllegalArgumentException("--partitions must be between 1 and 1000, was " + partitions);
        }
        Duration r = Durations.parse("--retention", retention);
        Duration scan = Durations.parse("--retention-scan", retentionScan);
        Duration every = Durations.parse("--sample", sample);
        if (every.toMillis() < 1_000) {
            throw new IllegalArgumentException("--sample must be at least 1s, was " + sample);
        }
        return new SoakRunner(new SoakRunner.Options(orders, rate, r, scan, every, partitions, plot, csv, json)).run();
    }
}
