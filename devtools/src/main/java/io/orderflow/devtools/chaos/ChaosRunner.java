package io.orderflow.devtools.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.demo.OutcomeTracker;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.HostNetwork;
import io.orderflow.devtools.embedded.KafkaCluster;
import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.verify.Verifier;
import io.orderflow.verify.VerifyOptions;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.IngressStreams;
import io.orderflow.workload.WorkloadGenerator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code saga chaos}: Kafka's exactly-once system test, for Orderflow. Starts Kafka (one broker in this JVM, or a
 * KRaft cluster of broker JVMs) and K instances as separate JVMs ({@code saga run}), drives a seeded workload with
 * hostile input — straight onto the ingress topics, or orders through the intake and the outbox
 * ({@link Via#OUTBOX}) — and injects seeded faults at random moments ({@link FaultKind}: SIGKILLs, SIGSTOPs and
 * network partitions of instances and brokers, Connect worker kills, PostgreSQL restarts), measuring how the
 * cluster recovers from each. Then it lets the cluster come to rest, stops the instances, runs {@code saga verify}
 * over the topics and the checks at rest (the intake's reconciliation, Kafka's own hanging-transaction finder).
 */
public final class ChaosRunner {
    /** How orders enter. */
    public enum Via {
        /** Straight onto {@code order.events}, as a Kafka producer would place them. */
        TOPICS,
        /** Through the intake's HTTP API, PostgreSQL's outbox and Debezium on a Connect worker. */
        OUTBOX
    }

    /**
     * @param instances            how many {@code saga run} processes
     * @param orders               orders placed by the workload (invalid ones included)
     * @param seed                 seeds the workload, the victims and the moments
     * @param rate                 ingress records offered per second
     * @param processingGuarantee  the instances' {@code processing.guarantee}
     * @param partitions           partitions of every topic
     * @param quiesceTimeout       how long to wait for the cluster to come to rest after the load
     * @param json                 end the report with one line of JSON
     * @param brokers              Kafka nodes: 1 in this JVM, or a cluster of that many JVMs (replication 3,
     *                             min.insync.replicas 2 from three nodes on)
     * @param via                  how orders enter
     * @param faults               how many faults of each kind, spread over the run at seeded moments
     */
    public record Options(int instances, int orders, long seed, int rate, String processingGuarantee,
                          int partitions, Duration quiesceTimeout, boolean json, int brokers, Via via,
                          Map<FaultKind, Integer> faults) {
        public Options {
            require(brokers >= 1 && brokers <= 5, "--brokers must be between 1 and 5, was " + brokers);
            require(instances >= 1 && instances <= 9, "--instances must be between 1 and 9, was " + instances);
            require(orders >= 1 && orders <= 1_000_000, "--orders must be between 1 and 1000000, was " + orders);
            require(rate >= 1 && rate <= 100_000, "--rate must be between 1 and 100000, was " + rate);
            require(partitions >= 1 && partitions <= 64, "--partitions must be between 1 and 64, was " + partitions);
            require(StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)
                            || StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee),
                    "--processing-guarantee must be exactly_once_v2 or at_least_once, was " + processingGuarantee);
            Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
            faults.forEach((kind, n) -> {
                int max = kind == FaultKind.INSTANCE_KILL ? 1_000 : 100;
                require(n >= 0 && n <= max, kind.flag() + " must be between 0 and " + max + ", was " + n);
                require(n == 0 || !kind.brokerFault() || brokers >= 3, kind.flag() + " on a broker needs --brokers 3 "
                        + "or more, so that two in-sync replicas remain while one broker is out");
                require(n == 0 || via == Via.OUTBOX || (kind != FaultKind.CONNECT_KILL
                        && kind != FaultKind.POSTGRES_RESTART), kind.flag() + " needs --via outbox");
                if (n > 0) {
                    counts.put(kind, n);
                }
            });
            faults = Collections.unmodifiableMap(counts);
        }

        /** One broker in this JVM, orders straight onto the topics, {@code kills} instance kills and no other fault. */
        public Options(int instances, int orders, int kills, long seed, int rate, String processingGuarantee,
                       int partitions, Duration quiesceTimeout, boolean json) {
            this(instances, orders, seed, rate, processingGuarantee, partitions, quiesceTimeout, json, 1, Via.TOPICS,
                    Map.of(FaultKind.INSTANCE_KILL, kills));
        }

        /** How many faults of {@code kind} the run injects. */
        public int count(FaultKind kind) {
            return faults.getOrDefault(kind, 0);
        }

        /** Whether every process needs a host of its own, to be cut off the network. */
        boolean isolatedHosts() {
            return count(FaultKind.INSTANCE_PARTITION) + count(FaultKind.BROKER_PARTITION) > 0;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * One ingress record in two thousand is oversized: alternately 512 KiB, which the broker takes and Orderflow
     * dead-letters as TOO_LARGE, and 1 MiB, which the broker refuses.
     */
    static final int OVERSIZED_EVERY = 2_000;
    static final int OVERSIZED_BYTES = 1 << 20;
    /** After the load, a fault waits at most this long for the cluster to become quiet. */
    private static final Duration QUIET_PATIENCE = Duration.ofSeconds(60);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration INSTANCE_STARTUP = Duration.ofSeconds(300);
    private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(1);
    private static final String HEAP = "384m";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final PrintStream out;
    private final PrintStream err;

    public ChaosRunner(Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** Runs the whole test; the report goes to {@code out}, progress to {@code err}. */
    public ChaosReport run() throws Exception {
        Path dir = Files.createTempDirectory("orderflow-chaos-");
        ChaosReport report = null;
        try (Lifecycle lifecycle = new Lifecycle()) {
            err.println("chaos: seed " + options.seed() + ", " + options.instances() + " instances ("
                    + options.processingGuarantee() + "), " + options.orders() + " orders via "
                    + options.via().name().toLowerCase(Locale.ROOT) + ", faults " + describe(options.faults())
                    + "; working in " + dir);
            HostNetwork network = options.isolatedHosts() ? lifecycle.own(HostNetwork.namespaces(hostNames()))
                    : HostNetwork.loopback();
            KafkaCluster cluster = null;
            String bootstrap;
            if (options.brokers() == 1 && !network.isolated()) {
                bootstrap = lifecycle.own(EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start())
                        .bootstrapServers();
            } else {
                cluster = lifecycle.own(KafkaCluster.start(options.brokers(), network));
                bootstrap = cluster.bootstrapServers();
                err.println("chaos: " + options.brokers() + " brokers, each its own JVM" + (network.isolated()
                        ? " on a host of its own" : "") + ": " + bootstrap);
            }
            Properties settings = instanceSettings(bootstrap);
            TopicSetup.ensure(settings, Duration.ofSeconds(60));
            OutboxPath outbox = null;
            if (options.via() == Via.OUTBOX) {
                err.println("chaos: starting PostgreSQL, the intake and a Connect worker with the outbox connector");
                outbox = lifecycle.own(new OutboxPath(dir));
                outbox.start(bootstrap, Math.min(3, options.brokers()));
            }

            List<InstanceProcess> instances = new ArrayList<>();
            lifecycle.own(() -> stopAll(instances));
            for (int i = 0; i < options.instances(); i++) {
                instances.add(new InstanceProcess(i, network, network.isolated() ? 8080 : LoopbackPorts.free(), dir,
                        settings, HEAP));
            }
            long started = System.nanoTime();
            instances.forEach(InstanceProcess::start);
            awaitReady(instances, INSTANCE_STARTUP);
            err.printf(Locale.ROOT, "chaos: %d instances ready after %.0f s%n", instances.size(), seconds(started));

            FaultLog faultLog = new FaultLog(started);
            ScheduledExecutorService background = Executors.newScheduledThreadPool(6, r -> {
                Thread t = new Thread(r, "orderflow-chaos");
                t.setDaemon(true);
                return t;
            });
            lifecycle.own(() -> {
                background.shutdownNow();
                background.awaitTermination(30, TimeUnit.SECONDS);
            });
            List<String> ownExits = Collections.synchronizedList(new ArrayList<>());
            background.scheduleWithFixedDelay(() -> {
                try {
                    restartOwnExits(instances, ownExits, started);
                    faultLog.sample(sample(instances));
                } catch (RuntimeException e) {
                    // a failed look is skipped; an exception escaping would end the sampling for good
                    err.println("chaos: sampling the instances failed: " + e);
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            try (SchemaRegistry registry = SchemaRegistry.fromUrl("local:");
                 OutcomeTracker completed = new OutcomeTracker(bootstrap, registry)) {
                Faults faults = new Faults(instances, cluster, network, outbox, faultLog, completed, background,
                        options.seed(), started, err);
                Load load = drive(bootstrap, registry, completed, faults, outbox, background);
                boolean quiescent = quiesce(bootstrap, instances);
                int replacements = instances.stream().mapToInt(InstanceProcess::threadReplacements).sum();
                List<ChaosReport.Fault> recovered = faultLog.faults(completed::gapAround);
                err.println("chaos: stopping the instances");
                background.shutdownNow();
                stopAll(instances);

                err.println("chaos: verifying the topics");
                Verifier.Verification verification = new Verifier(VerifyOptions.of(bootstrap,
                        Duration.ofSeconds(120)), new PrintWriter(err, true)).verify();
                List<ChaosReport.Check> checks = new ArrayList<>();
                synchronized (ownExits) {
                    checks.add(new ChaosReport.Check("own exits", ownExits.isEmpty(), ownExits.isEmpty()
                            ? "no instance exited unless killed or stopped"
                            : ownExits.size() + " exited on their own and were restarted: " + String.join("; ",
                            ownExits)));
                }
                if (outbox != null) {
                    checks.add(outbox.reconcile(verification.log()));
                }
                err.println("chaos: looking for hanging transactions with Kafka's own tool");
                checks.add(HangingTransactions.find(bootstrap, brokerIds(bootstrap)).check());
                report = new ChaosReport(options, recovered, load.sent(), load.refused(), quiescent, replacements,
                        checks, verification.log(), verification.report(), seconds(started));
            }
            out.print(report);
            if (options.json()) {
                out.println(report.toJson());
            }
            out.flush();
            return report;
        } finally {
            if (report != null && report.ok()) {
                deleteQuietly(dir);
            } else {
                err.println("chaos: instance logs kept in " + dir);
            }
        }
    }

    private static List<Integer> brokerIds(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id).sorted().toList();
        }
    }

    private List<String> hostNames() {
        List<String> hosts = new ArrayList<>();
        for (int node = 1; node <= options.brokers(); node++) {
            hosts.add(KafkaCluster.hostName(node));
        }
        for (int i = 0; i < options.instances(); i++) {
            hosts.add(InstanceProcess.hostName(i));
        }
        return hosts;
    }

    private static String describe(Map<FaultKind, Integer> faults) {
        if (faults.isEmpty()) {
            return "none";
        }
        StringJoiner joiner = new StringJoiner(", ");
        faults.forEach((kind, n) -> joiner.add(n + " " + kind.label()));
        return joiner.toString();
    }

    /**
     * Restarts, as a supervisor would, an instance that exited although nobody killed or stopped it (a failed
     * start-up, a fatal error), and records it: the run fails, but goes on to show what else happened.
     */
    private void restartOwnExits(List<InstanceProcess> instances, List<String> ownExits, long started) {
        for (InstanceProcess instance : instances) {
            synchronized (instance) {
                if (instance.exitedOnItsOwn()) {
                    String what = String.format(Locale.ROOT, "%s at %.0f s, exit code %d (see %s)", instance,
                            seconds(started), instance.exitCode(), instance.logs().get(instance.logs().size() - 1));
                    err.println("chaos: " + what + " exited on its own; restarting it");
                    ownExits.add(what);
                    instance.start();
                }
            }
        }
    }

    /** Every instance's readiness and pending sagas, each asked for at most a second. */
    private static FaultLog.Sample sample(List<InstanceProcess> instances) {
        boolean allReady = true;
        double pending = 0;
        for (InstanceProcess instance : instances) {
            boolean alive;
            synchronized (instance) {
                alive = instance.alive();
            }
            if (!alive) {
                allReady = false;
                pending = Double.NaN;
                continue;
            }
            allReady &= instance.status("/ready", SAMPLE_TIMEOUT) == 200;
            pending += instance.metric("saga_pending", SAMPLE_TIMEOUT);
        }
        return new FaultLog.Sample(System.nanoTime(), allReady, pending);
    }

    /** What the load did. */
    private record Load(Map<String, Long> sent, Map<String, Long> refused) {
    }

    /** A fault due when this many sagas have completed. */
    private record Due(long at, FaultKind kind) {
    }

    private Load drive(String bootstrap, SchemaRegistry registry, OutcomeTracker completed, Faults faults,
                       OutboxPath outbox, ScheduledExecutorService background) throws InterruptedException {
        Random chaos = new Random(FaultKind.INSTANCE_KILL.seed(options.seed()));
        List<Due> due = new ArrayList<>();
        for (FaultKind kind : FaultKind.values()) {
            // a fault is due when this many orders have been placed (3-60 %), so that it lands while orders flow,
            // with the last 40 % of the load left for the faults that had to wait for the previous ones to settle
            Random moments = kind == FaultKind.INSTANCE_KILL ? chaos : faults.random(kind);
            for (int k = 0; k < options.count(kind); k++) {
                due.add(new Due((long) (options.orders() * (0.03 + 0.57 * moments.nextDouble())), kind));
            }
        }
        due.sort(Comparator.comparingLong(Due::at));
        int total = due.size();

        Map<String, Long> versions = new ConcurrentHashMap<>();
        Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
        List<InstanceProcess> instances = faults.instances();
        ScheduledFuture<?> refresher = background.scheduleWithFixedDelay(() -> refreshVersions(instances, versions),
                0, 1, TimeUnit.SECONDS);
        long started = faults.started();
        long paceFrom = System.nanoTime();
        long records = 0;
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            WorkloadGenerator workload = new WorkloadGenerator(options.seed(), registry,
                    sku -> versions.getOrDefault(sku, 0L));
            Progress progress = new Progress(started, workload, completed, faults, total);
            while (workload.ordersPlaced() < options.orders()) {
                WorkloadGenerator.Step step = (records + 1) % OVERSIZED_EVERY == 0
                        ? workload.oversized(ingress(chaos), oversizedBytes(records + 1)) : workload.next();
                if (!(step instanceof WorkloadGenerator.Pipe pipe)) {
                    continue; // time steps mean nothing against a real clock
                }
                if (outbox == null || !outbox.offer(pipe)) {
                    send(producer, pipe, options.partitions(), sent, refused);
                }
                records++;
                pace(paceFrom, records);
                if (!due.isEmpty() && workload.ordersPlaced() >= due.get(0).at() && faults.quiet()
                        && (faults.injected() > 0 || warmedUp(completed, workload))) {
                    faults.inject(due.remove(0).kind(), chaos);
                }
                progress.maybePrint(records);
            }
            producer.flush();
            err.printf(Locale.ROOT, "chaos: load done after %.0f s: %d records, %d orders%n", seconds(started),
                    records, options.orders());
            // The remaining faults land while the backlog is processed, one at a time; a cluster that does not
            // become quiet does not hold them back forever.
            long waiting = System.nanoTime();
            while (!due.isEmpty()) {
                if (faults.quiet() || System.nanoTime() - waiting > QUIET_PATIENCE.toNanos()) {
                    faults.inject(due.remove(0).kind(), chaos);
                    waiting = System.nanoTime();
                }
                progress.maybePrint(records);
                stopIfSignalled();
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // polling interval
            }
        } finally {
            refresher.cancel(false);
        }
        // Every fault ends at its time (a recovery that hangs is forced), so every process takes part in the rest.
        faults.awaitEnded(Duration.ofMinutes(5));
        Map<String, Long> sentNow = snapshot(sent);
        Map<String, Long> refusedNow = snapshot(refused);
        if (outbox != null) {
            sentNow.merge(Topics.ORDER_EVENTS.name(), outbox.acknowledged(), Long::sum);
            refusedNow.putAll(outbox.refused());
            err.printf(Locale.ROOT, "chaos: the intake acknowledged %d orders and cancellations; %d requests retried%n",
                    outbox.acknowledged(), outbox.retries());
        }
        return new Load(sentNow, refusedNow);
    }

    /**
     * Whether the cluster keeps up with the load: most orders placed so far have completed. On a machine too loaded
     * for the offered rate the cluster falls behind at the start; a fault then would measure the backlog, not
     * itself.
     */
    private static boolean warmedUp(OutcomeTracker completed, WorkloadGenerator workload) {
        return completed.terminal() >= WARMED_UP * workload.ordersPlaced();
    }

    /** The first fault waits until this share of the orders placed so far has completed. */
    private static final double WARMED_UP = 0.7;

    /** A progress line every few seconds. */
    private final class Progress {
        private final long started;
        private final WorkloadGenerator workload;
        private final OutcomeTracker completed;
        private final Faults faults;
        private final int total;
        private long next;

        Progress(long started, WorkloadGenerator workload, OutcomeTracker completed, Faults faults, int total) {
            this.started = started;
            this.workload = workload;
            this.completed = completed;
            this.faults = faults;
            this.total = total;
            this.next = started + PROGRESS_EVERY.toNanos();
        }

        void maybePrint(long records) {
            if (System.nanoTime() < next) {
                return;
            }
            next += PROGRESS_EVERY.toNanos();
            err.printf(Locale.ROOT, "chaos: %6.0f s  %d/%d orders placed, %d completed, %d records, %d/%d faults%n",
                    seconds(started), workload.ordersPlaced(), options.orders(), completed.terminal(), records,
                    faults.injected(), total);
        }
    }

    private boolean quiesce(String bootstrap, List<InstanceProcess> instances) throws InterruptedException {
        List<TopicPartition> inputs = new ArrayList<>();
        for (Topic<?> topic : Topics.INGRESS) {
            for (int p = 0; p < options.partitions(); p++) {
                inputs.add(new TopicPartition(topic.name(), p));
            }
        }
        long started = System.nanoTime();
        long deadline = started + options.quiesceTimeout().toNanos();
        long nextProgress = started;
        try (Quiescence quiescence = new Quiescence(bootstrap, OrderflowConfig.APPLICATION_ID, inputs)) {
            Quiescence.Observation previous = null;
            while (System.nanoTime() < deadline) {
                Quiescence.Observation now = quiescence.observe(instances);
                if (now.atRest() && previous != null && previous.atRest() && previous.ends().equals(now.ends())) {
                    err.printf(Locale.ROOT, "chaos: at rest after %.0f s%n", seconds(started));
                    return true;
                }
                if (System.nanoTime() >= nextProgress) {
                    nextProgress += PROGRESS_EVERY.toNanos();
                    err.printf(Locale.ROOT, "chaos: waiting for rest (%.0f s): %s%n", seconds(started), now);
                }
                previous = now;
                stopIfSignalled();
                LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // polling interval
            }
        }
        err.printf(Locale.ROOT, "chaos: not at rest after %d s; verifying what there is%n",
                options.quiesceTimeout().toSeconds());
        return false;
    }

    private Properties instanceSettings(String bootstrap) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        props.put(InstanceConfig.PARTITIONS, Integer.toString(options.partitions()));
        props.put(InstanceConfig.REPLICATION_FACTOR, Integer.toString(Math.min(3, options.brokers())));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, options.processingGuarantee());
        return props;
    }

    private static void awaitReady(List<InstanceProcess> instances, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!instances.stream().allMatch(i -> i.status("/ready") == 200)) {
            for (InstanceProcess instance : instances) {
                if (!instance.alive()) {
                    throw new IllegalStateException(instance + " exited during start-up; see " + instance.logs());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the instances were not ready within " + timeout.toSeconds()
                        + " s; see their logs");
            }
            stopIfSignalled();
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos()); // polling interval
        }
    }

    private static void refreshVersions(List<InstanceProcess> instances, Map<String, Long> versions) {
        List<InstanceProcess> alive = instances.stream().filter(InstanceProcess::alive).toList();
        if (alive.isEmpty()) {
            return;
        }
        for (int i = 0; i < WorkloadGenerator.SKUS; i++) {
            String sku = WorkloadGenerator.sku(i);
            String body = alive.get(i % alive.size()).get("/inventory/" + sku);
            if (body != null) {
                try {
                    JsonNode version = JSON.readTree(body).get("version");
                    if (version != null && version.canConvertToLong()) {
                        versions.put(sku, version.asLong());
                    }
                } catch (JsonProcessingException notJson) {
                    // an instance answering something else (mid-restart): the version stays as last read
                }
            }
        }
    }


    /** Stops the run once Ctrl-C or SIGTERM has closed everything it started. */
    private static void stopIfSignalled() {
        if (Lifecycle.signalled()) {
            throw new IllegalStateException("stopped by a signal; everything the run started is stopped");
        }
    }

    private void pace(long started, long records) {
        stopIfSignalled();
        long due = started + records * 1_000_000_000L / options.rate();
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Sends {@code pipe}; a misplaced one to the partition after its key's, as another partitioner might. */
    private static void send(KafkaProducer<String, byte[]> producer, WorkloadGenerator.Pipe pipe, int partitions,
                             Map<String, AtomicLong> sent, Map<String, AtomicLong> refused) {
        String topic = pipe.topic().name();
        Integer partition = pipe.misplaced() && partitions > 1 && pipe.key() != null
                ? (IngressStreams.partitionOf(pipe.key(), partitions) + 1) % partitions : null;
        producer.send(new ProducerRecord<>(topic, partition, pipe.key(), pipe.value()), (metadata, e) ->
                (e == null ? sent : refused).computeIfAbsent(e == null ? topic : topic + ": "
                        + e.getClass().getSimpleName() + " (" + pipe.kind() + ")", k -> new AtomicLong())
                        .incrementAndGet());
    }

    private static int oversizedBytes(long record) {
        return (record / OVERSIZED_EVERY) % 2 == 1 ? OVERSIZED_BYTES / 2 : OVERSIZED_BYTES;
    }

    private static Topic<byte[]> ingress(Random random) {
        List<Topic<byte[]>> ingress = List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
                Topics.PAYMENT_DEPOSITS);
        return ingress.get(random.nextInt(ingress.size()));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Room for the 1 MiB hostile record; whether the broker takes it is the broker's call.
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 * OVERSIZED_BYTES));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    private static void stopAll(List<InstanceProcess> instances) throws InterruptedException {
        instances.forEach(InstanceProcess::terminate);
        for (InstanceProcess instance : instances) {
            synchronized (instance) {
                instance.stop(Duration.ofSeconds(30));
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void deleteQuietly(Path dir) {
        try {
            TempDir.delete(dir);
        } catch (IOException e) {
            // a temp dir left behind is not worth failing a passed run for
        }
    }
}
