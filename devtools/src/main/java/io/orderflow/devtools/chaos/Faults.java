package io.orderflow.devtools.chaos;

import io.orderflow.devtools.demo.OutcomeTracker;
import io.orderflow.devtools.embedded.HostNetwork;
import io.orderflow.devtools.embedded.KafkaCluster;
import io.orderflow.topology.OrderflowConfig;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Injects the faults of a chaos run, one at a time as they fall due, and ends each after its seeded time on a
 * background thread: the victim restarted, resumed or healed. At most one broker is out at a time (replication 3,
 * {@code min.insync.replicas} 2), so a broker fault due while another broker is out waits for it; an instance that
 * is paused or cut off is not picked again until it is back. Broker victims take turns: the transaction coordinator
 * of the instances' transactional ids, the active controller, any broker.
 */
final class Faults {
    private final List<InstanceProcess> instances;
    private final KafkaCluster cluster;
    private final HostNetwork network;
    private final OutboxPath outbox;
    private final FaultLog log;
    private final OutcomeTracker completed;
    private final ScheduledExecutorService background;
    private final PrintStream err;
    private final Map<FaultKind, Random> randoms = new EnumMap<>(FaultKind.class);
    private final Set<InstanceProcess> frozen = new HashSet<>();
    private final List<Recovery> recoveries = new ArrayList<>();
    private final long started;
    private int injected;
    private int instanceKills;
    private int brokerFaults;
    private int brokerOut = -1;

    Faults(List<InstanceProcess> instances, KafkaCluster cluster, HostNetwork network, OutboxPath outbox,
           FaultLog log, OutcomeTracker completed, ScheduledExecutorService background, long seed, long started,
           PrintStream err) {
        this.completed = completed;
        this.started = started;
        this.instances = instances;
        this.cluster = cluster;
        this.network = network;
        this.outbox = outbox;
        this.log = log;
        this.background = background;
        this.err = err;
        for (FaultKind kind : FaultKind.values()) {
            randoms.put(kind, new Random(kind.seed(seed)));
        }
    }

    /** When the run started (System.nanoTime()): the origin of every "at" of its report. */
    long started() {
        return started;
    }

    List<InstanceProcess> instances() {
        return instances;
    }

    /** The seeded stream of {@code kind}'s moments, victims and durations. */
    Random random(FaultKind kind) {
        return randoms.get(kind);
    }

    synchronized int injected() {
        return injected;
    }

    /** Injects a fault of {@code kind} now; instance kills draw from {@code chaos}, the run's first stream. */
    void inject(FaultKind kind, Random chaos) throws InterruptedException {
        try {
            switch (kind) {
                case INSTANCE_KILL -> killInstance(chaos);
                case INSTANCE_PAUSE -> freezeInstance(kind);
                case INSTANCE_PARTITION -> freezeInstance(kind);
                case BROKER_KILL, BROKER_PAUSE, BROKER_PARTITION -> brokerFault(kind);
                case CONNECT_KILL -> connectKill();
                case POSTGRES_RESTART -> postgresRestart();
                default -> throw new IllegalStateException("no injector for " + kind);
            }
        } catch (RuntimeException e) {
            // The run goes on without this fault; the report lists the faults that happened.
            err.println("chaos: could not inject a " + kind.label() + ": " + e.getMessage());
            return;
        }
        synchronized (this) {
            injected++;
        }
    }

    /**
     * Whether the next fault may come: every earlier one has ended, and the cluster has settled after it
     * ({@link FaultLog#settled}). Faults come one at a time, so that each one's stall and recovery are its own.
     */
    boolean quiet() {
        List<Recovery> all;
        synchronized (this) {
            all = List.copyOf(recoveries);
        }
        return all.stream().allMatch(Recovery::done) && log.settled(SETTLE_PATIENCE, completed::gapAround);
    }

    /** A fault whose pending sagas are not back to their level this long after it ended no longer holds others. */
    private static final Duration SETTLE_PATIENCE = Duration.ofSeconds(30);

    /**
     * Waits until every fault has ended at its time; after {@code timeout}, ends those still out at once, so that
     * every process takes part in the rest of the run.
     */
    void awaitEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Recovery> pending;
        synchronized (this) {
            pending = List.copyOf(recoveries);
        }
        while (!pending.stream().allMatch(Recovery::done) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // polling the recoveries that run on the background, within a deadline
        }
        pending.forEach(Recovery::run);
    }

    /** Runs {@code action} once, after {@code millis} on the background or at {@link #endAll}, whichever is first. */
    private void endLater(FaultLog.Entry entry, long millis, Runnable action) {
        Recovery recovery = new Recovery(entry, action);
        synchronized (this) {
            recoveries.add(recovery);
        }
        background.schedule(recovery::run, millis, TimeUnit.MILLISECONDS);
    }

    private final class Recovery {
        private final FaultLog.Entry entry;
        private final Runnable action;
        private volatile boolean done;

        Recovery(FaultLog.Entry entry, Runnable action) {
            this.entry = entry;
            this.action = action;
        }

        synchronized void run() {
            if (done) {
                return;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                err.println("chaos: recovering from a fault failed: " + e);
            }
            log.end(entry);
            done = true;
        }

        boolean done() {
            return done;
        }
    }

    private void announce(FaultLog.Entry entry, String what, long millis, String then) {
        err.printf(Locale.ROOT, "chaos: %6.0f s  %s; %s in %.1f s%n", log.at(entry), what, then, millis / 1000.0);
    }

    private void killInstance(Random chaos) throws InterruptedException {
        List<InstanceProcess> candidates;
        synchronized (this) {
            candidates = instances.stream().filter(InstanceProcess::alive).filter(i -> !frozen.contains(i)).toList();
        }
        if (candidates.isEmpty()) {
            candidates = instances;
        }
        InstanceProcess victim = candidates.get(chaos.nextInt(candidates.size()));
        boolean wipe = instanceKills++ % 2 == 1;
        long downMillis = chaos.nextInt((int) InstanceProcess.SESSION_TIMEOUT.toMillis() + 2_000);
        FaultLog.Entry entry;
        synchronized (victim) {
            victim.kill();
            entry = log.begin(FaultKind.INSTANCE_KILL, "instance " + victim.index(),
                    wipe ? ChaosReport.WIPED : "state kept");
        }
        announce(entry, "SIGKILL " + victim, downMillis, wipe ? "restarting it with its state directory wiped"
                : "restarting it on its state directory");
        endLater(entry, downMillis, () -> {
            synchronized (victim) {
                if (!victim.alive()) {
                    if (wipe) {
                        victim.wipeState();
                    }
                    victim.start();
                }
            }
        });
    }

    /** SIGSTOP, or a cut off the network, of an instance, for a seeded 8–20 s. */
    private void freezeInstance(FaultKind kind) throws InterruptedException {
        Random random = randoms.get(kind);
        InstanceProcess victim;
        synchronized (this) {
            List<InstanceProcess> candidates = instances.stream().filter(InstanceProcess::alive)
                    .filter(i -> !frozen.contains(i)).toList();
            if (candidates.isEmpty()) {
                return;
            }
            victim = candidates.get(random.nextInt(candidates.size()));
            frozen.add(victim);
        }
        long millis = 8_000 + random.nextInt(12_000);
        boolean pause = kind == FaultKind.INSTANCE_PAUSE;
        FaultLog.Entry entry;
        synchronized (victim) {
            if (pause) {
                victim.signal("STOP");
            } else {
                network.cut(victim.host());
            }
            entry = log.begin(kind, "instance " + victim.index(), pause ? "SIGSTOP" : "cut off");
        }
        announce(entry, (pause ? "SIGSTOP " : "cut off the network: ") + victim, millis, pause ? "SIGCONT" : "healing");
        endLater(entry, millis, () -> {
            synchronized (victim) {
                if (pause) {
                    try {
                        victim.signal("CONT");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    network.heal(victim.host());
                }
            }
            synchronized (Faults.this) {
                frozen.remove(victim);
            }
        });
    }

    private synchronized void brokerFault(FaultKind kind) throws InterruptedException {
        while (brokerOut >= 0) {
            wait(); // the broker still out is being brought back by its recovery on the background
        }
        Random random = randoms.get(kind);
        int any = random.nextInt(cluster.size());
        String role = switch (brokerFaults % 3) {
            case 0 -> "transaction coordinator";
            case 1 -> "active controller";
            default -> "any broker";
        };
        int found = switch (brokerFaults % 3) {
            case 0 -> cluster.transactionCoordinator(OrderflowConfig.APPLICATION_ID);
            case 1 -> cluster.activeController();
            default -> any;
        };
        brokerFaults++;
        int victim = found >= 0 ? found : any;
        if (found < 0) {
            role = "any broker (no " + role + " found)";
        }
        long millis = kind == FaultKind.BROKER_KILL ? 5_000 + random.nextInt(10_000) : 8_000 + random.nextInt(12_000);
        String name = "broker " + cluster.nodeId(victim);
        String what;
        String then;
        switch (kind) {
            case BROKER_KILL -> {
                cluster.kill(victim);
                what = "SIGKILL " + name;
                then = "restarting it";
            }
            case BROKER_PAUSE -> {
                cluster.signal(victim, "STOP");
                what = "SIGSTOP " + name;
                then = "SIGCONT";
            }
            default -> {
                network.cut(cluster.host(victim));
                what = "cut " + name + " off the network";
                then = "healing";
            }
        }
        brokerOut = victim;
        FaultLog.Entry entry = log.begin(kind, name, role);
        announce(entry, what + " (" + role + ")", millis, then);
        endLater(entry, millis, () -> {
            switch (kind) {
                case BROKER_KILL -> cluster.restart(victim);
                case BROKER_PAUSE -> cluster.signal(victim, "CONT");
                default -> network.heal(cluster.host(victim));
            }
            synchronized (Faults.this) {
                brokerOut = -1;
                Faults.this.notifyAll();
            }
        });
    }

    private void connectKill() throws InterruptedException {
        Random random = randoms.get(FaultKind.CONNECT_KILL);
        long millis = 2_000 + random.nextInt(6_000);
        outbox.killConnect();
        FaultLog.Entry entry = log.begin(FaultKind.CONNECT_KILL, "Connect", "SIGKILL");
        announce(entry, "SIGKILL the Connect worker", millis, "restarting it");
        endLater(entry, millis, outbox::startConnect);
    }

    private void postgresRestart() {
        Random random = randoms.get(FaultKind.POSTGRES_RESTART);
        long millis = 2_000 + random.nextInt(4_000);
        outbox.crashPostgres();
        FaultLog.Entry entry = log.begin(FaultKind.POSTGRES_RESTART, "PostgreSQL", "immediate shutdown");
        announce(entry, "crashed PostgreSQL (immediate shutdown)", millis, "starting it again");
        endLater(entry, millis, outbox::restartPostgres);
    }
}
