package io.orderflow.devtools.bench;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.serde.IngressJson;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code saga soak}: orders without end at a steady rate with a short {@code saga.retention}, and every
 * {@code --sample} the entries and on-disk size of each store that keeps something per order and the size of its
 * changelog. After the first two retention periods they must stay flat: what is kept per order is deleted at the
 * rate orders arrive. Prints a line per sample, writes the samples as CSV and a plot (PNG), and judges: FLAT when,
 * over the samples after that, no store's entries, RocksDB size or changelog size peaks in the second half more than
 * {@link #FLAT_TOLERANCE} above its peak in the first.
 */
public final class SoakRunner {
    /** The stores that keep an entry per order (the rest are per customer, per sku, or windowed). */
    public static final List<String> STORES = List.of(StoreNames.ORDER_SAGA, StoreNames.PAYMENT_ORDERS,
            StoreNames.INVENTORY_ORDERS, StoreNames.ORDERS_VIEW);
    /** How far above its settled level a store may end and still count as flat. */
    static final double FLAT_TOLERANCE = 0.25;
    private static final int SKUS = 1_000;
    private static final int CUSTOMERS = 2_000;
    /** One order in this many is cancelled by its customer right after it is placed. */
    private static final int CANCEL_EVERY = 20;

    /**
     * @param retention     {@code saga.retention} of the instance: sagas kept this long after they end, per-order
     *                      records and views twice as long
     * @param retentionScan {@code saga.retention.scan.interval}
     * @param sample        how often the stores and changelogs are measured
     */
    public record Options(long orders, int rate, Duration retention, Duration retentionScan, Duration sample,
                          int partitions, Path plot, Path csv, boolean json) {
    }

    /** One measurement: per store its entries, its RocksDB size and its changelog's size on the broker. */
    public record Sample(double seconds, long placed, Map<String, Long> entries, Map<String, Long> storeBytes,
                         Map<String, Long> changelogBytes) {
    }

    private final Options options;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    public SoakRunner(Options options) {
        this.options = options;
    }

    public int run() throws Exception {
        List<Sample> samples = new ArrayList<>();
        try (Lifecycle lifecycle = new Lifecycle()) {
            err.println("Starting Kafka (KRaft, single node) ...");
            // The log cleaner looks often, so that compacted changelogs shrink within the run.
            String bootstrap = lifecycle.own(EmbeddedKafka.builder()
                    .brokerConfig("log.cleaner.backoff.ms", "2000")
                    .brokerConfig("log.retention.check.interval.ms", "10000")
                    .start()).bootstrapServers();
            Path state = lifecycle.own(TempDir.create("orderflow-soak-")).path();
            Properties props = instanceProps(bootstrap, state);
            TopicSetup.ensure(props, Duration.ofSeconds(30));
            err.println("Starting the Orderflow instance (saga.retention " + text(options.retention()) + ") ...");
            OrderflowInstance instance = lifecycle.own(OrderflowInstance.start(props, Duration.ofSeconds(120)));
            seed(bootstrap);
            String appId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                 KafkaProducer<String, byte[]> producer = BenchRunner.producer(bootstrap)) {
                int broker = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
                long start = System.nanoTime();
                long nextSample = start;
                long placed = 0;
                printHeader();
                while (placed < options.orders() && !Lifecycle.signalled()) {
                    long due = Math.min(options.orders(),
                            (long) ((System.nanoTime() - start) / 1e9 * options.rate()));
                    for (; placed < due; placed++) {
                        place(producer, placed);
                    }
                    if (System.nanoTime() >= nextSample) {
                        Sample sample = sample(instance.streams(), admin, broker, appId,
                                (System.nanoTime() - start) / 1e9, placed);
                        samples.add(sample);
                        printSample(sample);
                        nextSample += options.sample().toNanos();
                    }
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                }
                if (!Lifecycle.signalled()) {
                    producer.flush();
                    samples.add(sample(instance.streams(), admin, broker, appId,
                            (System.nanoTime() - start) / 1e9, placed));
                    printSample(samples.get(samples.size() - 1));
                }
            } catch (RuntimeException | java.util.concurrent.ExecutionException e) {
                if (!Lifecycle.signalled()) {
                    throw e;
                }
            }
            if (Lifecycle.signalled()) {
                err.println("Stopped by a signal; the samples so far are written.");
            }
        }
        return report(samples);
    }

    private Properties instanceProps(String bootstrap, Path state) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("instance").toString());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "orderflow-soak");
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        props.put(OrderflowConfig.RETENTION, options.retention().toMillis() + "ms");
        props.put(OrderflowConfig.RETENTION_SCAN, options.retentionScan().toMillis() + "ms");
        props.put(InstanceConfig.PARTITIONS, Integer.toString(options.partitions()));
        props.put(InstanceConfig.REPLICATION_FACTOR, "1");
        int port = LoopbackPorts.free();
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
        props.put(HttpAuth.MODE, "none"); // loopback only, for the run
        // Changelogs roll segments often and keep tombstones one retention, so that compaction can show on disk
        // within a run of minutes; production keeps Kafka's defaults (1 GiB segments, tombstones for a day).
        props.put(StreamsConfig.topicPrefix(TopicConfig.SEGMENT_BYTES_CONFIG), Integer.toString(4 << 20));
        props.put(StreamsConfig.topicPrefix(TopicConfig.SEGMENT_MS_CONFIG), "30000");
        props.put(StreamsConfig.topicPrefix(TopicConfig.DELETE_RETENTION_MS_CONFIG),
                Long.toString(options.retention().toMillis()));
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG), "0.1");
        return props;
    }

    private void seed(String bootstrap) {
        err.println("Seeding " + SKUS + " skus and " + CUSTOMERS + " accounts ...");
        try (KafkaProducer<String, byte[]> producer = BenchRunner.producer(bootstrap)) {
            for (int s = 0; s < SKUS; s++) {
                String sku = "soak-sku-" + s;
                producer.send(new ProducerRecord<>(Topics.INVENTORY_ADJUSTMENTS.name(), sku,
                        IngressJson.write(new StockAdjusted(null, sku, 1_000_000_000, "soak", null))));
            }
            for (int c = 0; c < CUSTOMERS; c++) {
                String customer = "soak-c-" + c;
                producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), customer,
                        IngressJson.write(new FundsDeposited(null, customer, 100_000_000_000_000L, "EUR"))));
            }
        }
    }

    private static void place(KafkaProducer<String, byte[]> producer, long n) {
        String orderId = "soak-" + n;
        OrderEvent placed = new OrderEvent("e-" + orderId, orderId, new OrderPlaced("soak-c-" + (n % CUSTOMERS),
                "EUR", List.of(new OrderLine("soak-sku-" + (n % SKUS), 1, 100L),
                        new OrderLine("soak-sku-" + ((n + 1) % SKUS), 2, 250L)), null));
        producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, IngressJson.write(placed)));
        if (n % CANCEL_EVERY == 0) {
            producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, IngressJson.write(
                    new OrderEvent("x-" + orderId, orderId, new OrderCancelRequested()))));
        }
    }

    private Sample sample(KafkaStreams streams, Admin admin, int broker, String appId, double seconds, long placed)
            throws Exception {
        Map<String, Long> entries = new LinkedHashMap<>();
        Map<String, Long> storeBytes = new LinkedHashMap<>();
        Map<String, Long> changelogBytes = new LinkedHashMap<>();
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(broker)).allDescriptions()
                .get(30, TimeUnit.SECONDS).get(broker);
        Map<MetricName, ? extends Metric> metrics = streams.metrics();
        for (String store : STORES) {
            entries.put(store, count(streams, store));
            storeBytes.put(store, rocksDbBytes(metrics, store));
            String changelog = appId + "-" + store + "-changelog";
            long bytes = 0;
            for (LogDirDescription dir : dirs.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                    if (replica.getKey().topic().equals(changelog)) {
                        bytes += replica.getValue().size();
                    }
                }
            }
            changelogBytes.put(store, bytes);
        }
        return new Sample(seconds, placed, entries, storeBytes, changelogBytes);
    }

    /** The store's entries, counted one by one through an interactive query; -1 while it cannot be queried. */
    private static long count(KafkaStreams streams, String store) {
        try {
            ReadOnlyKeyValueStore<String, Object> kv = streams.store(
                    StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
            long n = 0;
            try (KeyValueIterator<String, Object> it = kv.all()) {
                while (it.hasNext()) {
                    it.next();
                    n++;
                }
            }
            return n;
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    /** SST files and memtables of the store over its tasks, from Kafka Streams' RocksDB metrics. */
    private static long rocksDbBytes(Map<MetricName, ? extends Metric> metrics, String store) {
        long bytes = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!"stream-state-metrics".equals(name.group()) || !name.tags().containsValue(store)) {
                continue;
            }
            if ((name.name().equals("total-sst-files-size") || name.name().equals("size-all-mem-tables"))
                    && e.getValue().metricValue() instanceof Number number) {
                bytes += number.longValue();
            }
        }
        return bytes;
    }

    private void printHeader() {
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%8s %10s", "t (s)", "placed"));
        for (String store : STORES) {
            header.append(String.format(Locale.ROOT, " | %-16s %8s %8s", store, "RocksDB", "changelog"));
        }
        err.println(header);
    }

    private void printSample(Sample s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%8.0f %,10d", s.seconds(), s.placed()));
        for (String store : STORES) {
            line.append(String.format(Locale.ROOT, " | %,16d %8s %8s", s.entries().get(store),
                    mib(s.storeBytes().get(store)), mib(s.changelogBytes().get(store))));
        }
        err.println(line);
    }

    private int report(List<Sample> samples) throws IOException {
        writeCsv(samples);
        SoakPlot.write(samples, STORES, String.format(Locale.ROOT,
                "Orderflow soak: %,d orders at %,d/s, saga.retention %s", samples.isEmpty() ? 0
                        : samples.get(samples.size() - 1).placed(), options.rate(), text(options.retention())),
                options.plot());
        // Retention applies fully once twice the retention (the longest kept) and one walk have passed. The samples
        // after that are split in halves: flat when no figure's peak in the second half exceeds its peak in the
        // first by more than the tolerance (the level breathes with the walk and the load; a leak climbs).
        double settledAt = options.retention().multipliedBy(2).plus(options.retentionScan()).toMillis() / 1000.0
                + options.sample().toSeconds();
        List<Sample> after = samples.stream().filter(s -> s.seconds() >= settledAt).toList();
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        boolean enough = after.size() >= 4;
        boolean flat = enough;
        out.println();
        if (!enough) {
            out.printf(Locale.ROOT, "Soak: TOO SHORT — fewer than 4 samples after %.0f s (2 × saga.retention, one walk "
                    + "and one sample): offer more --orders or a shorter --retention%n", settledAt);
        }
        List<Sample> first = enough ? after.subList(0, after.size() / 2) : List.of();
        List<Sample> second = enough ? after.subList(after.size() / 2, after.size()) : List.of();
        StringBuilder json = new StringBuilder("{\"stores\":{");
        for (String store : STORES) {
            if (!enough) {
                break;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-16s", store));
            json.append(json.charAt(json.length() - 1) == '{' ? "" : ",").append('"').append(store).append("\":{");
            String[] names = {"entries", "rocksdb_bytes", "changelog_bytes"};
            List<java.util.function.Function<Sample, Map<String, Long>>> figures = List.of(Sample::entries,
                    Sample::storeBytes, Sample::changelogBytes);
            for (int f = 0; f < names.length; f++) {
                java.util.function.Function<Sample, Map<String, Long>> figure = figures.get(f);
                long early = first.stream().mapToLong(x -> figure.apply(x).get(store)).max().orElse(0);
                long late = second.stream().mapToLong(x -> figure.apply(x).get(store)).max().orElse(0);
                boolean bounded = late <= early * (1 + FLAT_TOLERANCE) + (f == 0 ? 100 : 1 << 20);
                flat &= bounded;
                line.append(String.format(Locale.ROOT, "  %s peak %s then %s (%s)", f == 0 ? "entries" : f == 1
                                ? "RocksDB" : "changelog", f == 0 ? String.format(Locale.ROOT, "%,d", early)
                                : mib(early), f == 0 ? String.format(Locale.ROOT, "%,d", late) : mib(late),
                        bounded ? "flat" : "GROWING"));
                json.append(String.format(Locale.ROOT, "%s\"%s\":[%d,%d]", f == 0 ? "" : ",", names[f], early,
                        late));
            }
            json.append('}');
            out.println(line);
        }
        json.append("}");
        if (last != null) {
            out.printf(Locale.ROOT, "Soak: %s (%,d orders in %.0f s, saga.retention %s; peaks of the first and second "
                            + "half of the samples after %.0f s)%n", flat ? "FLAT" : enough ? "GROWING" : "TOO SHORT",
                    last.placed(), last.seconds(), text(options.retention()), settledAt);
        }
        out.printf(Locale.ROOT, "samples:      %s%nplot:         %s%n", options.csv().toAbsolutePath(),
                options.plot().toAbsolutePath());
        if (options.json()) {
            json.append(String.format(Locale.ROOT, ",\"flat\":%b,\"orders\":%d,\"seconds\":%.0f}", flat,
                    last == null ? 0 : last.placed(), last == null ? 0 : last.seconds()));
            out.println(json);
        }
        return flat ? 0 : 1;
    }

    private void writeCsv(List<Sample> samples) throws IOException {
        StringBuilder csv = new StringBuilder("seconds,placed");
        for (String store : STORES) {
            csv.append(',').append(store).append("_entries,").append(store).append("_rocksdb_bytes,")
                    .append(store).append("_changelog_bytes");
        }
        csv.append('\n');
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%.1f,%d", s.seconds(), s.placed()));
            for (String store : STORES) {
                csv.append(',').append(s.entries().get(store)).append(',').append(s.storeBytes().get(store))
                        .append(',').append(s.changelogBytes().get(store));
            }
            csv.append('\n');
        }
        Path parent = options.csv().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(options.csv(), csv);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** 90s, 2m, 1500ms: as the flags take it. */
    private static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }
}
