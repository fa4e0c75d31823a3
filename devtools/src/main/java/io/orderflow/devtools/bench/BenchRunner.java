package io.orderflow.devtools.bench;

import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.server.runtime.KafkaTopics;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * {@code saga bench}: sagas completed per second and end-to-end latency (OrderPlaced record timestamp → terminal
 * status visible read_committed), measured in the same run as two baselines on the same broker: the raw producer
 * rate and an exactly-once pass-through Streams app ({@code order.events} → a copy topic).
 */
public final class BenchRunner {
    /**
     * @param warmup        how long orders are offered, and then waited for, before the measured run; not measured
     * @param inFlight      at most this many orders offered and not yet terminal (0: no bound)
     * @param plot          where the latency plot (PNG) goes
     * @param intake        measure the outbox path (HTTP → PostgreSQL → Debezium → order.events) instead
     * @param clients       concurrent HTTP clients posting orders with {@code intake}
     * @param restore       measure restore times of a store of this many entries instead (0: not)
     * @param streamsConfig Kafka Streams settings for the saga instance and the pass-through alike; they win over
     *                      {@link OrderflowConfig#PERFORMANCE_DEFAULTS}
     * @param outboxDrain   measure Debezium alone draining this many outbox rows instead (0: not)
     * @param connectorConfig settings over connectors/orders-outbox.json for {@code intake} and {@code outboxDrain}
     * @param workerConfig  Connect worker settings for {@code intake} and {@code outboxDrain}
     */
    public record Options(int orders, int rate, Duration duration, Duration warmup, String bootstrap, boolean json, int partitions,
                          int skus, int customers, int inFlight, Map<String, String> streamsConfig, Path plot,
                          boolean intake, int clients, long restore, int outboxDrain,
                          Map<String, String> connectorConfig, Map<String, String> workerConfig) {
    }

    private final Options options;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    public BenchRunner(Options options) {
        this.options = options;
    }

    public int run() throws Exception {
        if (options.outboxDrain() > 0) {
            return new OutboxDrainBench(options).runAndReport(out);
        }
        if (options.intake()) {
            return runIntake();
        }
        if (options.restore() > 0) {
            return runRestore();
        }
        try (Lifecycle lifecycle = new Lifecycle()) {
            String bootstrap = options.bootstrap();
            if (bootstrap == null) {
                err.println("Starting Kafka (KRaft, single node) ...");
                bootstrap = lifecycle.own(EmbeddedKafka.builder().start()).bootstrapServers();
            }
            Path state = lifecycle.own(TempDir.create("orderflow-bench-")).path();
            Properties tuning = tuning();
            Properties props = new Properties();
            props.putAll(tuning);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("saga").toString());
            props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
            props.put(InstanceConfig.PARTITIONS, Integer.toString(options.partitions()));
            props.put(InstanceConfig.REPLICATION_FACTOR, options.bootstrap() == null ? "1" : "3");
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "orderflow-bench-" + UUID.randomUUID().toString()
                    .substring(0, 8));
            int port = LoopbackPorts.free();
            props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
            props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
            props.put(HttpAuth.MODE, "none"); // loopback only, for the run
            TopicSetup.ensure(props, Duration.ofSeconds(30));
            String run = UUID.randomUUID().toString().substring(0, 6);

            double rawPerSecond = rawProducerRate(bootstrap, run);
            err.printf(Locale.ROOT, "raw producer: %.0f records/s (200-byte records, acks=all)%n", rawPerSecond);

            err.println("Starting the Orderflow instance ...");
            OrderflowInstance instance = lifecycle.own(OrderflowInstance.start(props, Duration.ofSeconds(120)));
            seed(bootstrap, run);
            int orders = options.rate() > 0 ? (int) Math.min(Integer.MAX_VALUE,
                    (long) options.rate() * options.duration().toSeconds()) : options.orders();
            Result warm = null;
            if (!options.warmup().isZero()) {
                err.printf(Locale.ROOT, "Warm-up: offering orders for %d s (not measured) ...%n",
                        options.warmup().toSeconds());
                warm = runSagas(bootstrap, run, "w-" + run, Integer.MAX_VALUE, options.warmup());
            }
            String appId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
            Predicate<String> ours = topic -> topic.startsWith(appId + "-") || topic.startsWith("__")
                    || Topics.ALL.stream().anyMatch(t -> t.name().equals(topic));
            LogGrowth logBefore = logGrowth(bootstrap, ours);
            StreamThreadStats threadsBefore = StreamThreadStats.of(instance.streams().metrics());
            long cpuBefore = processCpuNanos();
            long allocatedBefore = allocatedBytes();
            Result saga = runSagas(bootstrap, run, "b-" + run, orders, null);
            double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
            long allocated = allocatedBytes() - allocatedBefore;
            StreamThreadStats threads = StreamThreadStats.of(instance.streams().metrics()).minus(threadsBefore);
            LogGrowth log = logGrowth(bootstrap, ours).minus(logBefore);
            long heapMb = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
            instance.close();

            String copy = "bench.copy." + run;
            ensureTopic(bootstrap, copy);
            err.println("Baseline: exactly-once pass-through of order.events ...");
            PassThroughBaseline.Rate pass = PassThroughBaseline.measure(bootstrap, tuning, state.resolve("copy"),
                    run, copy, Duration.ofMinutes(5));
            double baseline = pass.perSecond();
            double ratio = baseline == 0 ? 0 : saga.perSecond() / baseline;
            Histogram h = saga.latency();
            out.printf(Locale.ROOT, "%nsagas:        %d in %.1f s = %.0f sagas/s (%d confirmed)%n", orders,
                    saga.seconds(), saga.perSecond(), saga.confirmed());
            out.printf(Locale.ROOT, "latency ms:   p50 %d  p95 %d  p99 %d  p99.9 %d  max %d%n",
                    h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue());
            if (warm != null) {
                out.printf(Locale.ROOT, "warm-up:      %d orders in %.1f s before the run (%d terminal), not measured%n",
                        warm.offered(), warm.seconds(), warm.terminal());
            }
            if (pass.seconds() > 0) {
                out.printf(Locale.ROOT, "baseline:     exactly-once pass-through %.0f records/s (%d records in %.1f s, "
                        + "counted from its first committed output, %.1f s after start); saga/pass-through %.2f%n",
                        baseline, pass.records(), pass.seconds(), pass.startupSeconds(), ratio);
            } else {
                out.printf(Locale.ROOT, "baseline:     exactly-once pass-through not measurable: order.events was "
                        + "copied within its first commit (%.1f s after start); offer more --orders%n",
                        pass.startupSeconds());
            }
            out.printf(Locale.ROOT, "raw producer: %.0f records/s%n", rawPerSecond);
            double cpuMsPerSaga = cpuSeconds * 1000 / Math.max(1, orders);
            double allocKbPerSaga = allocated / 1024.0 / Math.max(1, orders);
            out.printf(Locale.ROOT, "process:      %.1f CPU-seconds during the saga run (%.2f ms per saga), %.0f KiB "
                    + "allocated per saga, %d MiB heap in use at the end (broker, producer and Streams share this "
                    + "JVM)%n", cpuSeconds, cpuMsPerSaga, allocKbPerSaga, heapMb);
            out.printf(Locale.ROOT, "streams:      %s%n", threads.render(saga.seconds(), saga.terminal()));
            out.printf(Locale.ROOT, "broker log:   %s%n", log.render(saga.terminal()));
            out.printf(Locale.ROOT, "per topic:    %s%n", log.renderTopics(saga.terminal(), appId + "-"));
            out.printf(Locale.ROOT, "settings:     %d partitions, %d skus, %d customers, %s in flight, %s%n",
                    options.partitions(), options.skus(), options.customers(),
                    options.rate() > 0 || options.inFlight() == 0 ? "unbounded" : "at most " + options.inFlight(),
                    streamsSettings(tuning));
            String title = String.format(Locale.ROOT, "Orderflow saga latency: %,d sagas, %s, %.0f sagas/s", orders,
                    options.rate() > 0 ? options.rate() + "/s offered" : "maximum rate", saga.perSecond());
            LatencyPlot.write(h, title, "OrderPlaced -> terminal status visible (ms)", options.plot());
            out.printf(Locale.ROOT, "plot:         %s%n", options.plot().toAbsolutePath());
            if (options.json()) {
                out.printf(Locale.ROOT, "{\"orders\":%d,\"sagas_per_s\":%.1f,\"baseline_per_s\":%.1f,\"ratio\":%.3f,"
                            + "\"p50_ms\":%d,\"p95_ms\":%d,\"p99_ms\":%d,\"p999_ms\":%d,\"max_ms\":%d,"
                            + "\"raw_producer_per_s\":%.1f,\"warmup_orders\":%d,\"appends_per_saga\":%.1f,"
                            + "\"changelog_appends_per_saga\":%.1f,\"cpu_ms_per_saga\":%.3f,"
                            + "\"alloc_kb_per_saga\":%.1f,\"records_per_saga\":%.1f}%n", orders, saga.perSecond(),
                    baseline, ratio, h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), rawPerSecond, warm == null ? 0 : warm.offered(),
                    log.perSaga(saga.terminal()), log.perSaga(LogGrowth.CHANGELOGS, saga.terminal()), cpuMsPerSaga,
                    allocKbPerSaga, threads.recordsPerSaga(saga.terminal()));
            }
            return saga.complete() ? 0 : 1;
        }
    }

    private int runIntake() throws Exception {
        IntakeBench.Result r;
        double cpuSeconds;
        try (Lifecycle lifecycle = new Lifecycle()) {
            long cpuBefore = processCpuNanos();
            r = new IntakeBench(options).run(lifecycle);
            cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
        }
        Histogram h = r.lagMs();
        out.printf(Locale.ROOT, "%nposted:       %d orders with POST /orders in %.1f s = %.0f posts/s (%d clients, %d failed)%n",
                r.orders(), r.postSeconds(), r.postsPerSecond(), options.clients(), r.failed());
        if (options.rate() > 0) {
            out.printf(Locale.ROOT, "offered:      %d orders/s open-loop, lag counted from each order's due time; "
                    + "the latest send was %d ms behind its time%n", options.rate(), r.maxLateMs());
        }
        out.printf(Locale.ROOT, "outbox:       %d events on order.events in %.1f s = %.0f events/s%n", r.seen(),
                r.eventSeconds(), r.eventsPerSecond());
        out.printf(Locale.ROOT, "outbox lag ms: p50 %d  p95 %d  p99 %d  p99.9 %d  max %d (%s -> event visible "
                + "read_committed)%n", h.getValueAtPercentile(50), h.getValueAtPercentile(95),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
                options.rate() > 0 ? "POST due" : "POST sent");
        out.printf(Locale.ROOT, "process:      %.1f CPU-seconds in this JVM (broker, Connect, intake, clients; "
                + "PostgreSQL is a separate process)%n", cpuSeconds);
        String title = String.format(Locale.ROOT, "Orderflow outbox lag: %,d orders, %.0f events/s", r.orders(),
                r.eventsPerSecond());
        LatencyPlot.write(h, title, "POST sent -> event on order.events (ms)", options.plot());
        out.printf(Locale.ROOT, "plot:         %s%n", options.plot().toAbsolutePath());
        if (options.json()) {
            out.printf(Locale.ROOT, "{\"orders\":%d,\"outbox_events_per_s\":%.1f,\"posts_per_s\":%.1f,\"clients\":%d,"
                            + "\"failed\":%d,\"p50_ms\":%d,\"p95_ms\":%d,\"p99_ms\":%d,\"p999_ms\":%d,\"max_ms\":%d,"
                            + "\"offered_per_s\":%d,\"max_late_ms\":%d}%n",
                    r.orders(), r.eventsPerSecond(), r.postsPerSecond(), options.clients(), r.failed(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), options.rate(), r.maxLateMs());
        }
        return r.failed() == 0 && r.seen() == r.orders() ? 0 : 1;
    }

    private int runRestore() throws Exception {
        RestoreBench.Result r;
        try (Lifecycle lifecycle = new Lifecycle()) {
            r = new RestoreBench(options.restore()).run(lifecycle);
        }
        out.printf(Locale.ROOT, "%nrestore:      %,d accounts in payment-accounts (%.0f MiB of keys and values in its "
                + "changelog)%n", r.records(), r.changelogBytes() / 1048576.0);
        out.printf(Locale.ROOT, "no standby:   an instance without local state ready after %.1f s (%,.0f records/s, start-up "
                + "included)%n",
                r.aloneSeconds(), r.records() / r.aloneSeconds());
        out.printf(Locale.ROOT, "a standby:    every task active on the instance that kept standbys %.1f s after the "
                + "other stopped%n", r.takeoverSeconds());
        if (options.json()) {
            out.printf(Locale.ROOT, "{\"records\":%d,\"changelog_bytes\":%d,\"no_standby_s\":%.1f,"
                    + "\"standby_takeover_s\":%.1f}%n", r.records(), r.changelogBytes(), r.aloneSeconds(),
                    r.takeoverSeconds());
        }
        return 0;
    }

    /**
     * @param offered  orders offered
     * @param terminal of those, orders whose terminal status was seen
     */
    private record Result(int offered, int terminal, double seconds, double perSecond, long confirmed,
                          Histogram latency, boolean complete) {
    }

    /**
     * Offers orders (ids starting with {@code prefix}) at --rate or at the maximum rate, until {@code orders} are
     * offered or {@code offerFor} (when given) has passed, and follows them to their terminal status. Skus and
     * customers are the ones seeded for {@code run}.
     */
    private Result runSagas(String bootstrap, String run, String prefix, int orders, Duration offerFor) {
        Histogram latency = new Histogram(600_000L, 3);
        Set<String> done = new HashSet<>();
        long confirmed = 0;
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap);
             KafkaConsumer<String, OrderStatusChanged> consumer = statusConsumer(bootstrap)) {
            long start = System.nanoTime();
            long offerUntil = offerFor == null ? Long.MAX_VALUE : start + offerFor.toNanos();
            long lastReport = start;
            int sent = 0;
            int total = orders;
            String idPrefix = prefix + "-";
            long deadline = start + Duration.ofMinutes(10).toNanos();
            while (done.size() < total && System.nanoTime() < deadline) {
                if (sent < total && System.nanoTime() >= offerUntil) {
                    total = sent; // offering stops; what was offered still has to finish
                    continue;
                }
                int batch = options.rate() > 0 ? dueByRate(start, sent) : Math.min(2_000, total - sent);
                // Only at the maximum rate: bounding a fixed-rate run would send late and hide the queueing
                // (coordinated omission); with --rate every order is offered on schedule.
                if (options.rate() == 0 && options.inFlight() > 0) {
                    batch = Math.min(batch, options.inFlight() - (sent - done.size()));
                }
                for (int i = 0; i < batch && sent < total; i++, sent++) {
                    String orderId = idPrefix + sent;
                    OrderEvent event = new OrderEvent("e" + orderId, orderId, new OrderPlaced(
                            "bc-" + run + "-" + (sent % options.customers()), "EUR",
                            List.of(new OrderLine("bs-" + run + "-" + (sent % options.skus()), 1, 100L)), null));
                    producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, IngressJson.write(event)));
                }
                for (ConsumerRecord<String, OrderStatusChanged> record : consumer.poll(Duration.ofMillis(20))) {
                    OrderStatusChanged change = record.value();
                    if ((change.getStatus() == OrderStatus.CONFIRMED || change.getStatus() == OrderStatus.CANCELLED)
                            && change.getOrderId().startsWith(idPrefix) && done.add(change.getOrderId())) {
                        latency.recordValue(Math.max(0, Math.min(600_000L,
                                System.currentTimeMillis() - change.getPlacedAt())));
                        if (change.getStatus() == OrderStatus.CONFIRMED) {
                            confirmed++;
                        }
                    }
                }
                long now = System.nanoTime();
                if (now - lastReport > 1_000_000_000L) {
                    lastReport = now;
                    progress(sent, done.size(), total == Integer.MAX_VALUE ? sent : total, (now - start) / 1e9);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            progress(sent, done.size(), Math.min(total, sent), seconds);
            err.println();
            return new Result(sent, done.size(), seconds, done.size() / seconds, confirmed, latency,
                    done.size() == sent && sent == total);
        }
    }

    private int dueByRate(long startNanos, int sent) {
        long due = (long) ((System.nanoTime() - startNanos) / 1e9 * options.rate());
        return (int) Math.max(0, Math.min(1_000, due - sent));
    }

    private void progress(int sent, int done, int total, double seconds) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d sagas, %d sent, %.0f sagas/s   ", "#".repeat(filled),
                ".".repeat(width - filled), done, total, sent, done / Math.max(0.001, seconds));
        err.flush();
    }

    private void seed(String bootstrap, String run) {
        err.println("Seeding " + options.skus() + " skus and " + options.customers() + " accounts ...");
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (int s = 0; s < options.skus(); s++) {
                String sku = "bs-" + run + "-" + s;
                producer.send(new ProducerRecord<>(Topics.INVENTORY_ADJUSTMENTS.name(), sku,
                        IngressJson.write(new StockAdjusted(null, sku, 100_000_000, "bench", null))));
            }
            for (int c = 0; c < options.customers(); c++) {
                String customer = "bc-" + run + "-" + c;
                producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), customer,
                        IngressJson.write(new FundsDeposited(null, customer, 100_000_000_000L, "EUR"))));
            }
        }
        // The seed and the orders take different topics: give the seed a head start it will have finished in.
        LockSupport.parkNanos(Duration.ofSeconds(3).toNanos());
    }

    private double rawProducerRate(String bootstrap, String run) {
        String topic = "bench.raw." + run;
        ensureTopic(bootstrap, topic);
        int records = Math.max(20_000, Math.min(200_000, options.orders() * 2));
        byte[] value = new byte[200];
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, null, value));
            }
            producer.flush();
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static LogGrowth logGrowth(String bootstrap, Predicate<String> include) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return LogGrowth.snapshot(admin, include);
        }
    }

    private void ensureTopic(String bootstrap, String topic) {
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            KafkaTopics.ensure(admin, List.of(topic), options.partitions(),
                    (short) (options.bootstrap() == null ? 1 : 3), Duration.ofSeconds(30));
        }
    }

    /** The Streams settings both apps ran with beyond Kafka's defaults: Orderflow's, then the bench's. */
    private static Map<Object, Object> streamsSettings(Properties tuning) {
        Map<Object, Object> settings = new TreeMap<>(OrderflowConfig.PERFORMANCE_DEFAULTS);
        settings.putAll(tuning);
        return settings;
    }

    /** {@code --streams-config}; the product's defaults apply to everything it leaves unset. */
    private Properties tuning() {
        Properties tuning = new Properties();
        tuning.putAll(options.streamsConfig());
        return tuning;
    }

    /** The bench's producer of ingress JSON: acks=all, small batches with 5 ms linger. */
    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, OrderStatusChanged> statusConsumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return atEnd(new KafkaConsumer<>(props, new StringDeserializer(),
                new AvroSerde<>(OrderStatusChanged.class, LocalSchemaRegistry.instance()).deserializer()),
                Topics.ORDER_STATUS.name());
    }

    /** {@code consumer} assigned every partition of {@code topic}, positioned at their ends now. */
    static <K, V> KafkaConsumer<K, V> atEnd(KafkaConsumer<K, V> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /**
     * Bytes allocated on the heap by every thread of this JVM since it started, those that ended included (broker,
     * producer and Streams share the JVM); 0 where the JVM cannot tell.
     */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getTotalThreadAllocatedBytes();
        }
        return 0;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
