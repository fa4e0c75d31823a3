package io.orderflow.devtools.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.demo.OutcomeTracker;
import io.orderflow.devtools.embedded.EmbeddedKafka;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code saga chaos}: Kafka's exactly-once system test, for Orderflow. Starts an embedded broker and K instances
 * as separate JVMs ({@code saga run}), drives a seeded workload with hostile input through the ingress topics,
 * kills a random instance with SIGKILL at random moments (restarting it on the same state directory, or on a wiped
 * one), lets the cluster come to rest, stops the instances and runs {@code saga verify} over the topics.
 */
public final class ChaosRunner {
    /**
     * @param instances            how many {@code saga run} processes
     * @param orders               orders placed by the workload (invalid ones included)
     * @param kills                SIGKILLs, spread over the load at seeded random moments
     * @param seed                 seeds the workload, the victims and the moments
     * @param rate                 ingress records offered per second
     * @param processingGuarantee  the instances' {@code processing.guarantee}
     * @param partitions           partitions of every topic
     * @param quiesceTimeout       how long to wait for the cluster to come to rest after the load
     * @param json                 end the report with one line of JSON
     * @param brokers              Kafka nodes: 1 in this JVM, or a cluster of that many JVMs (replication 3,
     *                             min.insync.replicas 2 from three nodes on)
     * @param brokerKills          SIGKILLs of a broker, each started again on its data after a seeded 5–15 s
     * @param pauses               SIGSTOPs of an instance, each resumed with SIGCONT after a seeded 8–20 s (past its
     *                             session and transaction timeouts: a zombie when it wakes)
     */
    public record Options(int instances, int orders, int kills, long seed, int rate, String processingGuarantee,
                          int partitions, Duration quiesceTimeout, boolean json, int brokers, int brokerKills,
                          int pauses) {
        public Options {
            require(pauses >= 0 && pauses <= 100, "--pauses must be between 0 and 100, was " + pauses);
            require(brokers >= 1 && brokers <= 5, "--brokers must be between 1 and 5, was " + brokers);
            require(brokerKills >= 0 && brokerKills <= 100, "--broker-kills must be between 0 and 100, was "
                    + brokerKills);
            require(brokerKills == 0 || brokers >= 3, "--broker-kills needs --brokers 3 or more, so that two "
                    + "in-sync replicas remain while one broker is down");
            require(instances >= 1 && instances <= 9, "--instances must be between 1 and 9, was " + instances);
            require(orders >= 1 && orders <= 1_000_000, "--orders must be between 1 and 1000000, was " + orders);
            require(kills >= 0 && kills <= 1_000, "--kills must be between 0 and 1000, was " + kills);
            require(rate >= 1 && rate <= 100_000, "--rate must be between 1 and 100000, was " + rate);
            require(partitions >= 1 && partitions <= 64, "--partitions must be between 1 and 64, was " + partitions);
            require(StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)
                            || StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee),
                    "--processing-guarantee must be exactly_once_v2 or at_least_once, was " + processingGuarantee);
        }

        /** One broker in this JVM, no broker kills. */
        public Options(int instances, int orders, int kills, long seed, int rate, String processingGuarantee,
                       int partitions, Duration quiesceTimeout, boolean json) {
            this(instances, orders, kills, seed, rate, processingGuarantee, partitions, quiesceTimeout, json, 1, 0, 0);
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
    /** A kill waits for its moment (sagas completed) at most this long without progress. */
    private static final Duration KILL_STALL = Duration.ofSeconds(60);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration INSTANCE_STARTUP = Duration.ofSeconds(300);
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
                    + options.processingGuarantee() + "), " + options.orders() + " orders, " + options.kills()
                    + " kills; working in " + dir);
            KafkaCluster cluster = null;
            String bootstrap;
            if (options.brokers() == 1) {
                bootstrap = lifecycle.own(EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start())
                        .bootstrapServers();
            } else {
                cluster = lifecycle.own(KafkaCluster.start(options.brokers()));
                bootstrap = cluster.bootstrapServers();
                err.println("chaos: " + options.brokers() + " brokers, each its own JVM: " + bootstrap);
            }
            Properties settings = instanceSettings(bootstrap);
            TopicSetup.ensure(settings, Duration.ofSeconds(60));

            List<InstanceProcess> instances = new ArrayList<>();
            lifecycle.own(() -> stopAll(instances));
            for (int i = 0; i < options.instances(); i++) {
                instances.add(new InstanceProcess(i, LoopbackPorts.free(), dir, settings, HEAP));
            }
            long started = System.nanoTime();
            instances.forEach(InstanceProcess::start);
            awaitReady(instances, INSTANCE_STARTUP);
            err.printf(Locale.ROOT, "chaos: %d instances ready after %.0f s%n", instances.size(), seconds(started));

            Load load = drive(bootstrap, instances, cluster);
            boolean quiescent = quiesce(bootstrap, instances);
            int replacements = instances.stream().mapToInt(InstanceProcess::threadReplacements).sum();
            err.println("chaos: stopping the instances");
            stopAll(instances);

            err.println("chaos: verifying the topics");
            Verifier.Verification verification = new Verifier(VerifyOptions.of(bootstrap, Duration.ofSeconds(120)),
                    new PrintWriter(err, true)).verify();
            report = new ChaosReport(options, load.kills(), load.brokerKills(), load.pauses(), load.sent(),
                    load.refused(), quiescent, replacements,
                    verification.log(), verification.report(), seconds(started));
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

    /** What the load did. */
    private record Load(List<ChaosReport.Kill> kills, List<ChaosReport.BrokerKill> brokerKills,
                        List<ChaosReport.Pause> pauses, Map<String, Long> sent, Map<String, Long> refused) {
    }

    private enum Fault { INSTANCE_KILL, BROKER_KILL, PAUSE }

    /** A fault due when this many sagas have completed. */
    private record Due(long at, Fault fault) {
    }

    private Load drive(String bootstrap, List<InstanceProcess> instances, KafkaCluster cluster)
            throws InterruptedException {
        Random chaos = new Random(options.seed() * 31 + 7);
        List<Due> killAt = new ArrayList<>();
        for (int k = 0; k < options.kills(); k++) {
            // a kill is due when this many sagas have completed: spread over the processing, not only the load
            killAt.add(new Due((long) (options.orders() * (0.05 + 0.8 * chaos.nextDouble())), Fault.INSTANCE_KILL));
        }
        // Broker faults draw from their own seeded stream, so a seed's instance kills stay what they were.
        Random brokerChaos = new Random(options.seed() * 31 + 11);
        for (int k = 0; k < options.brokerKills(); k++) {
            killAt.add(new Due((long) (options.orders() * (0.05 + 0.8 * brokerChaos.nextDouble())), Fault.BROKER_KILL));
        }
        Random pauseChaos = new Random(options.seed() * 31 + 13);
        for (int k = 0; k < options.pauses(); k++) {
            killAt.add(new Due((long) (options.orders() * (0.05 + 0.8 * pauseChaos.nextDouble())), Fault.PAUSE));
        }
        Pauses pauses = new Pauses(pauseChaos);
        killAt.sort(Comparator.comparingLong(Due::at));
        BrokerFaults brokers = new BrokerFaults(cluster, brokerChaos);

        Map<String, Long> versions = new ConcurrentHashMap<>();
        Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
        List<ChaosReport.Kill> kills = new ArrayList<>();
        ScheduledExecutorService background = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "orderflow-chaos");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(() -> refreshVersions(instances, versions), 0, 1, TimeUnit.SECONDS);
        long started = System.nanoTime();
        long records = 0;
        try (SchemaRegistry registry = SchemaRegistry.fromUrl("local:");
             OutcomeTracker completed = new OutcomeTracker(bootstrap, registry);
             KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            WorkloadGenerator workload = new WorkloadGenerator(options.seed(), registry,
                    sku -> versions.getOrDefault(sku, 0L));
            Progress progress = new Progress(started, workload, completed, kills);
            while (workload.ordersPlaced() < options.orders()) {
                WorkloadGenerator.Step step = (records + 1) % OVERSIZED_EVERY == 0
                        ? workload.oversized(ingress(chaos), oversizedBytes(records + 1)) : workload.next();
                if (!(step instanceof WorkloadGenerator.Pipe pipe)) {
                    continue; // time steps mean nothing against a real clock
                }
                send(producer, pipe, options.partitions(), sent, refused);
                records++;
                pace(started, records);
                if (!killAt.isEmpty() && completed.terminal() >= killAt.get(0).at()) {
                    fault(killAt.remove(0), instances, chaos, kills, brokers, pauses, background, started);
                }
                progress.maybePrint(records);
            }
            producer.flush();
            err.printf(Locale.ROOT, "chaos: load done after %.0f s: %d records, %d orders%n", seconds(started),
                    records, options.orders());
            // The remaining kills land while the backlog is processed; a stall does not hold them back forever.
            long lastChange = System.nanoTime();
            long lastCount = completed.terminal();
            while (!killAt.isEmpty()) {
                long now = completed.terminal();
                if (now != lastCount) {
                    lastCount = now;
                    lastChange = System.nanoTime();
                }
                if (now >= killAt.get(0).at() || System.nanoTime() - lastChange > KILL_STALL.toNanos()) {
                    fault(killAt.remove(0), instances, chaos, kills, brokers, pauses, background, started);
                    lastChange = System.nanoTime();
                }
                progress.maybePrint(records);
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // polling interval
            }
        } finally {
            background.shutdownNow();
            background.awaitTermination(30, TimeUnit.SECONDS);
        }
        // A restart scheduled but not yet run is run now, so that every broker and instance takes part in the rest.
        brokers.restartAll();
        pauses.resumeAll();
        for (InstanceProcess instance : instances) {
            synchronized (instance) {
                if (!instance.alive()) {
                    instance.start();
                }
            }
        }
        return new Load(kills, brokers.kills(), pauses.pauses(), snapshot(sent), snapshot(refused));
    }

    private void fault(Due due, List<InstanceProcess> instances, Random chaos, List<ChaosReport.Kill> kills,
                       BrokerFaults brokers, Pauses pauses, ScheduledExecutorService background, long started)
            throws InterruptedException {
        switch (due.fault()) {
            case BROKER_KILL -> brokers.kill(background, started);
            case PAUSE -> pauses.pause(instances, background, started);
            default -> kills.add(kill(instances, chaos, kills.size(), background, started));
        }
    }

    /** Instance pauses: SIGSTOP now, SIGCONT after a seeded 8–20 s. */
    private final class Pauses {
        private final Random random;
        private final List<ChaosReport.Pause> pauses = new ArrayList<>();
        private final List<InstanceProcess> paused = new ArrayList<>();

        Pauses(Random random) {
            this.random = random;
        }

        synchronized void pause(List<InstanceProcess> instances, ScheduledExecutorService background, long started)
                throws InterruptedException {
            List<InstanceProcess> candidates = instances.stream().filter(InstanceProcess::alive)
                    .filter(i -> !paused.contains(i)).toList();
            if (candidates.isEmpty()) {
                return;
            }
            InstanceProcess victim = candidates.get(random.nextInt(candidates.size()));
            long pauseMillis = 8_000 + random.nextInt(12_000);
            synchronized (victim) {
                victim.signal("STOP");
            }
            paused.add(victim);
            double at = seconds(started);
            err.printf(Locale.ROOT, "chaos: %6.0f s  SIGSTOP %s; SIGCONT in %.1f s%n", at, victim,
                    pauseMillis / 1000.0);
            pauses.add(new ChaosReport.Pause(victim.index(), at, pauseMillis / 1000.0));
            background.schedule(() -> resume(victim), pauseMillis, TimeUnit.MILLISECONDS);
        }

        private synchronized void resume(InstanceProcess victim) {
            if (paused.remove(victim)) {
                try {
                    synchronized (victim) {
                        victim.signal("CONT");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized void resumeAll() {
            for (InstanceProcess victim : List.copyOf(paused)) {
                resume(victim);
            }
        }

        List<ChaosReport.Pause> pauses() {
            return pauses;
        }
    }

    /**
     * Broker SIGKILLs: one broker down at a time (replication 3, min.insync.replicas 2), each started again on its
     * data after a seeded 5–15 s. A kill due while another broker is still down waits for it. The victims take
     * turns: the transaction coordinator of the instances' transactional ids, the active controller, any broker
     * (the first two when they can be found, else any).
     */
    private final class BrokerFaults {
        private final KafkaCluster cluster;
        private final Random random;
        private final List<ChaosReport.BrokerKill> kills = new ArrayList<>();
        private int down = -1;

        BrokerFaults(KafkaCluster cluster, Random random) {
            this.cluster = cluster;
            this.random = random;
        }

        synchronized void kill(ScheduledExecutorService background, long started) throws InterruptedException {
            while (down >= 0) {
                wait(); // the broker still down is being started again by the background task below
            }
            int any = random.nextInt(cluster.size());
            long downMillis = 5_000 + random.nextInt(10_000);
            String role = switch (kills.size() % 3) {
                case 0 -> "transaction coordinator";
                case 1 -> "active controller";
                default -> "any broker";
            };
            int found = switch (kills.size() % 3) {
                case 0 -> cluster.transactionCoordinator(OrderflowConfig.APPLICATION_ID);
                case 1 -> cluster.activeController();
                default -> any;
            };
            int victim = found >= 0 ? found : any;
            if (found < 0) {
                role = "any broker (no " + role + " found)";
            }
            cluster.kill(victim);
            down = victim;
            double at = seconds(started);
            err.printf(Locale.ROOT, "chaos: %6.0f s  SIGKILL broker %d (%s); restarting it in %.1f s%n", at,
                    cluster.nodeId(victim), role, downMillis / 1000.0);
            kills.add(new ChaosReport.BrokerKill(cluster.nodeId(victim), role, at, downMillis / 1000.0));
            background.schedule(this::restartAll, downMillis, TimeUnit.MILLISECONDS);
        }

        synchronized void restartAll() {
            if (down >= 0) {
                cluster.restart(down);
                down = -1;
                notifyAll();
            }
        }

        List<ChaosReport.BrokerKill> kills() {
            return kills;
        }
    }

    /** A progress line every few seconds. */
    private final class Progress {
        private final long started;
        private final WorkloadGenerator workload;
        private final OutcomeTracker completed;
        private final List<ChaosReport.Kill> kills;
        private long next;

        Progress(long started, WorkloadGenerator workload, OutcomeTracker completed, List<ChaosReport.Kill> kills) {
            this.started = started;
            this.workload = workload;
            this.completed = completed;
            this.kills = kills;
            this.next = started + PROGRESS_EVERY.toNanos();
        }

        void maybePrint(long records) {
            if (System.nanoTime() < next) {
                return;
            }
            next += PROGRESS_EVERY.toNanos();
            err.printf(Locale.ROOT, "chaos: %6.0f s  %d/%d orders placed, %d completed, %d records, %d/%d kills%n",
                    seconds(started), workload.ordersPlaced(), options.orders(), completed.terminal(), records,
                    kills.size(), options.kills());
        }
    }

    private ChaosReport.Kill kill(List<InstanceProcess> instances, Random chaos, int number,
                                  ScheduledExecutorService background, long started) throws InterruptedException {
        List<InstanceProcess> alive = instances.stream().filter(InstanceProcess::alive).toList();
        List<InstanceProcess> candidates = alive.isEmpty() ? instances : alive;
        InstanceProcess victim = candidates.get(chaos.nextInt(candidates.size()));
        boolean wipe = number % 2 == 1;
        long downMillis = chaos.nextInt((int) InstanceProcess.SESSION_TIMEOUT.toMillis() + 2_000);
        victim.kill();
        err.printf(Locale.ROOT, "chaos: %6.0f s  SIGKILL %s; restarting it in %.1f s %s%n", seconds(started), victim,
                downMillis / 1000.0, wipe ? "with its state directory wiped" : "on its state directory");
        background.schedule(() -> {
            synchronized (victim) {
                if (!victim.alive()) {
                    if (wipe) {
                        victim.wipeState();
                    }
                    victim.start();
                }
            }
        }, downMillis, TimeUnit.MILLISECONDS);
        return new ChaosReport.Kill(victim.index(), seconds(started), wipe);
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


    private void pace(long started, long records) {
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
