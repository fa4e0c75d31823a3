package io.orderflow.devtools.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.EventLog;
import io.orderflow.invariants.InvariantReport;
import io.orderflow.invariants.InvariantResult;
import io.orderflow.topology.Topics;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * What a chaos run did and what the verifier found. The run is {@link #ok()} when every invariant holds, the
 * cluster came to rest, no stream thread died, no order was cancelled for TIMEOUT (the workload creates no saga
 * that cannot complete, so a timeout means Orderflow gave up on its own backlog), every check at rest passed, and
 * every record the workload had acknowledged is on its ingress topic ({@code in = taken + dead-lettered}, taken
 * including idempotent duplicates and rejections the saga reports as CANCELLED with a reason).
 */
public final class ChaosReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One fault: its kind, its victim ({@code instance 2}, {@code broker 3}, …), when it began (seconds into the
     * run), how long it lasted (down, stopped or cut off), a detail ({@code wiped}, {@code active controller}, …),
     * and the recovery measured around it, in seconds (NaN when not seen): the processing stall (last terminal status
     * before the fault to the first after), every instance {@code /ready} again after it ended, and the sum of
     * {@code saga_pending} back to its level before the fault.
     */
    public record Fault(FaultKind kind, String victim, double at, double seconds, String detail, double stall,
                        double readyAfter, double pendingBackAfter) {
    }

    /** A check made at rest, besides the invariants: its name, whether it passed, and what it found. */
    public record Check(String name, boolean ok, String summary) {
    }

    /** Per ingress topic: acknowledged by Kafka, read back, and dead-lettered (distinct source records). */
    public record Ingress(long sent, long in, long deadLettered) {
        boolean reconciled() {
            return sent == in && deadLettered <= in;
        }
    }

    private final ChaosRunner.Options options;
    private final List<Fault> faults;
    private final List<Check> checks;
    private final Map<String, Long> refused;
    private final boolean quiescent;
    private final int threadReplacements;
    private final InvariantReport invariants;
    private final double seconds;
    private final Map<String, Ingress> ingress = new LinkedHashMap<>();
    private final Map<String, Integer> outcomes;
    private final Map<String, Integer> deadLetters = new TreeMap<>();
    private final int deadLetterCount;

    ChaosReport(ChaosRunner.Options options, List<Fault> faults, Map<String, Long> sent, Map<String, Long> refused,
                boolean quiescent, int threadReplacements, List<Check> checks, EventLog log,
                InvariantReport invariants, double seconds) {
        this.options = options;
        this.faults = List.copyOf(faults);
        this.checks = List.copyOf(checks);
        this.refused = Map.copyOf(refused);
        this.quiescent = quiescent;
        this.threadReplacements = threadReplacements;
        this.invariants = invariants;
        this.seconds = seconds;
        this.outcomes = log.outcomes();
        this.deadLetterCount = log.deadLetters().size();
        log.deadLetters().forEach(d -> deadLetters.merge(d.reason(), 1, Integer::sum));
        Map<String, Long> in = Map.of(Topics.ORDER_EVENTS.name(), (long) log.orderEvents().size(),
                Topics.INVENTORY_ADJUSTMENTS.name(), (long) log.adjustments().size(),
                Topics.PAYMENT_DEPOSITS.name(), (long) log.deposits().size());
        for (String topic : List.of(Topics.ORDER_EVENTS.name(), Topics.INVENTORY_ADJUSTMENTS.name(),
                Topics.PAYMENT_DEPOSITS.name())) {
            Set<Coordinates> sources = new HashSet<>();
            log.deadLetters().stream().filter(d -> d.source() != null && topic.equals(d.source().topic()))
                    .forEach(d -> sources.add(d.source()));
            ingress.put(topic, new Ingress(sent.getOrDefault(topic, 0L), in.get(topic), sources.size()));
        }
    }

    public boolean ok() {
        return invariants.ok() && quiescent && threadReplacements == 0 && timedOut() == 0
                && checks.stream().allMatch(Check::ok)
                && ingress.values().stream().allMatch(Ingress::reconciled);
    }

    /** Orders cancelled for TIMEOUT. */
    public int timedOut() {
        return outcomes.getOrDefault("CANCELLED(TIMEOUT)", 0);
    }

    /** Every fault, in the order they began. */
    public List<Fault> faults() {
        return faults;
    }

    /** The faults of one kind. */
    public List<Fault> faults(FaultKind kind) {
        return faults.stream().filter(f -> f.kind() == kind).toList();
    }

    public List<Check> checks() {
        return checks;
    }

    public InvariantReport invariants() {
        return invariants;
    }

    public Map<String, Ingress> ingress() {
        return ingress;
    }

    /** Final status per order, counted: {@code CONFIRMED}, {@code CANCELLED(OUT_OF_STOCK)}, … */
    public Map<String, Integer> outcomes() {
        return outcomes;
    }

    /** Dead letters by their {@code orderflow.reason}. */
    public Map<String, Integer> deadLettersByReason() {
        return deadLetters;
    }

    public int deadLetters() {
        return deadLetterCount;
    }

    public boolean quiescent() {
        return quiescent;
    }

    public int threadReplacements() {
        return threadReplacements;
    }

    private long wiped() {
        return faults(FaultKind.INSTANCE_KILL).stream().filter(f -> WIPED.equals(f.detail())).count();
    }

    /** The detail of an instance kill whose instance restarted on a wiped state directory. */
    static final String WIPED = "wiped";

    /** p50 and max of one measure over faults, NaN where a fault's measure is NaN are left out. */
    private static double[] p50Max(List<Fault> faults, ToDoubleFunction<Fault> measure) {
        double[] values = faults.stream().mapToDouble(measure).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {values[(values.length - 1) / 2], values[values.length - 1]};
    }

    private Map<String, Integer> cancelled() {
        Map<String, Integer> cancelled = new TreeMap<>();
        outcomes.forEach((outcome, n) -> {
            if (outcome.startsWith("CANCELLED(")) {
                cancelled.put(outcome.substring("CANCELLED(".length(), outcome.length() - 1), n);
            }
        });
        return cancelled;
    }

    /** One line: {@code {"ok":…,"kills":…,"orders":…,…}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("ok", ok());
        root.put("kills", faults(FaultKind.INSTANCE_KILL).size());
        root.put("orders", invariants.orders());
        root.put("confirmed", outcomes.getOrDefault("CONFIRMED", 0));
        ObjectNode cancelled = root.putObject("cancelled");
        cancelled().forEach(cancelled::put);
        root.put("timed_out", timedOut());
        root.put("dlq", deadLetterCount);
        ObjectNode dlqByReason = root.putObject("dlq_by_reason");
        deadLetters.forEach(dlqByReason::put);
        root.put("restarts", faults(FaultKind.INSTANCE_KILL).size());
        root.put("restarts_wiped", wiped());
        root.put("instances", options.instances());
        root.put("brokers", options.brokers());
        root.put("broker_kills", faults(FaultKind.BROKER_KILL).size());
        root.put("pauses", faults(FaultKind.INSTANCE_PAUSE).size());
        root.put("via", options.via().name().toLowerCase(Locale.ROOT));
        ObjectNode faultNode = root.putObject("faults");
        for (FaultKind kind : FaultKind.values()) {
            List<Fault> ofKind = faults(kind);
            if (ofKind.isEmpty()) {
                continue;
            }
            ObjectNode k = faultNode.putObject(kind.json());
            k.put("count", ofKind.size());
            putP50Max(k, "stall", p50Max(ofKind, Fault::stall));
            putP50Max(k, "ready", p50Max(ofKind, Fault::readyAfter));
            putP50Max(k, "pending_back", p50Max(ofKind, Fault::pendingBackAfter));
        }
        ObjectNode checkNode = root.putObject("checks");
        checks.forEach(check -> checkNode.put(check.name(), check.ok()));
        root.put("processing_guarantee", options.processingGuarantee());
        root.put("seed", options.seed());
        root.put("at_rest", quiescent);
        root.put("thread_replacements", threadReplacements);
        ObjectNode topics = root.putObject("ingress");
        ingress.forEach((topic, counts) -> {
            ObjectNode node = topics.putObject(topic);
            node.put("sent", counts.sent());
            node.put("in", counts.in());
            node.put("dead_lettered", counts.deadLettered());
            node.put("taken", counts.in() - counts.deadLettered());
        });
        ObjectNode refusedNode = root.putObject("refused_by_kafka");
        ObjectNode refusedByIntake = root.putObject("refused_by_intake");
        new TreeMap<>(refused).forEach((what, n) -> {
            if (what.startsWith(OutboxPath.REFUSED)) {
                refusedByIntake.put(what.substring(OutboxPath.REFUSED.length()), n);
            } else {
                refusedNode.put(what, n);
            }
        });
        ObjectNode results = root.putObject("invariants");
        ObjectNode violations = root.putObject("violations");
        for (InvariantResult result : invariants.results().values()) {
            results.put(result.invariant().name(), result.status().name());
            violations.put(result.invariant().name(), result.violationCount());
        }
        root.put("seconds", Math.round(seconds));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the chaos report as JSON", e);
        }
    }

    private static void putP50Max(ObjectNode node, String name, double[] p50Max) {
        if (!Double.isNaN(p50Max[0])) {
            node.put(name + "_p50_s", Math.round(p50Max[0] * 10) / 10.0);
            node.put(name + "_max_s", Math.round(p50Max[1] * 10) / 10.0);
        }
    }

    private static String p50MaxText(double[] p50Max) {
        return Double.isNaN(p50Max[0]) ? "-" : String.format(Locale.ROOT, "%.1f / %.1f", p50Max[0], p50Max[1]);
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nChaos: %s (%d instances, %s, seed %d, %.0f s)%n", ok() ? "OK"
                : "FAILED", options.instances(), options.processingGuarantee(), options.seed(), seconds));
        if (options.brokers() > 1) {
            out.append(String.format(Locale.ROOT, "brokers:        %d, each its own JVM (replication 3, "
                    + "min.insync.replicas 2)%n", options.brokers()));
        }
        out.append(String.format(Locale.ROOT, "orders enter:   %s%n", options.via() == ChaosRunner.Via.OUTBOX
                ? "through the intake (HTTP -> PostgreSQL outbox -> Debezium on Connect -> order.events)"
                : "straight onto the ingress topics"));
        out.append(String.format(Locale.ROOT, "faults:         %d SIGKILL of an instance, each restarted: %d on its "
                + "state directory, %d wiped%n", faults(FaultKind.INSTANCE_KILL).size(),
                faults(FaultKind.INSTANCE_KILL).size() - wiped(), wiped()));
        for (Fault fault : faults) {
            out.append(String.format(Locale.ROOT, "                %-18s %-9s at %4.0f s, for %4s s; stall %4s s, "
                    + "/ready %4s s, pending back %4s s  %s%n", fault.kind().label(), fault.victim(), fault.at(),
                    seconds(fault.seconds()), seconds(fault.stall()), seconds(fault.readyAfter()),
                    seconds(fault.pendingBackAfter()), fault.detail()));
        }
        if (!faults.isEmpty()) {
            out.append(String.format(Locale.ROOT, "recovery:       %-20s %5s %14s %16s %20s%n", "(s, p50 / max)",
                    "count", "stall", "/ready again", "saga_pending back"));
            for (FaultKind kind : FaultKind.values()) {
                List<Fault> ofKind = faults(kind);
                if (!ofKind.isEmpty()) {
                    out.append(String.format(Locale.ROOT, "                %-20s %5d %14s %16s %20s%n", kind.label(),
                            ofKind.size(), p50MaxText(p50Max(ofKind, Fault::stall)),
                            p50MaxText(p50Max(ofKind, Fault::readyAfter)),
                            p50MaxText(p50Max(ofKind, Fault::pendingBackAfter))));
                }
            }
        }
        out.append(String.format(Locale.ROOT, "ingress:        %-22s %8s %8s %14s %8s%n", "topic", "sent", "in",
                "dead-lettered", "taken"));
        ingress.forEach((topic, c) -> out.append(String.format(Locale.ROOT,
                "                %-22s %8d %8d %14d %8d%s%n", topic, c.sent(), c.in(), c.deadLettered(),
                c.in() - c.deadLettered(), c.reconciled() ? "" : "   <- sent != in")));
        new TreeMap<>(refused).forEach((what, n) -> out.append(String.format(Locale.ROOT,
                "refused:        %s: %d (the %s was told; never on the topic)%n", what, n,
                what.startsWith(OutboxPath.REFUSED) ? "client" : "producer")));
        out.append(String.format(Locale.ROOT, "orders:         %d: %d CONFIRMED, %d CANCELLED %s%n",
                invariants.orders(), outcomes.getOrDefault("CONFIRMED", 0),
                cancelled().values().stream().mapToInt(Integer::intValue).sum(), cancelled()));
        if (timedOut() > 0) {
            out.append(String.format(Locale.ROOT, "timed out:      %d orders cancelled for TIMEOUT   <- the workload "
                    + "has none that cannot complete%n", timedOut()));
        }
        outcomes.forEach((outcome, n) -> {
            if (!outcome.equals("CONFIRMED") && !outcome.startsWith("CANCELLED(")) {
                out.append(String.format(Locale.ROOT, "                %d still %s%n", n, outcome));
            }
        });
        out.append(String.format(Locale.ROOT, "dead letters:   %d %s%n", deadLetterCount, deadLetters));
        out.append(String.format(Locale.ROOT, "stream threads: %d died and were replaced%n", threadReplacements));
        out.append(String.format(Locale.ROOT, "at rest:        %s%n", quiescent ? "yes"
                : "no: the load did not drain before the timeout"));
        for (Check check : checks) {
            out.append(String.format(Locale.ROOT, "%-15s %s %s%n", check.name() + ":", check.ok() ? "OK  " : "FAIL",
                    check.summary()));
        }
        out.append(invariants);
        return out.toString();
    }
}
