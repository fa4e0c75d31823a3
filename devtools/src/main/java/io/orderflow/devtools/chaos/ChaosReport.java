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

/**
 * What a chaos run did and what the verifier found. The run is {@link #ok()} when every invariant holds, the
 * cluster came to rest, no stream thread died, no order was cancelled for TIMEOUT (the workload creates no saga
 * that cannot complete, so a timeout means Orderflow gave up on its own backlog), and every record the workload had
 * acknowledged is on its ingress topic ({@code in = taken + dead-lettered}, taken including idempotent duplicates and rejections the saga
 * reports as CANCELLED with a reason).
 */
public final class ChaosReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One SIGKILL: which instance, when (seconds into the load), and whether its state was wiped. */
    public record Kill(int instance, double at, boolean wiped) {
    }

    /**
     * One broker SIGKILL: which node, what it was (the active controller, the transaction coordinator of an
     * instance, or any broker), when (seconds into the load), and how long it stayed down.
     */
    public record BrokerKill(int node, String role, double at, double downSeconds) {
    }

    /** One SIGSTOP of an instance: which, when (seconds into the load), and how long until its SIGCONT. */
    public record Pause(int instance, double at, double seconds) {
    }

    /** Per ingress topic: acknowledged by Kafka, read back, and dead-lettered (distinct source records). */
    public record Ingress(long sent, long in, long deadLettered) {
        boolean reconciled() {
            return sent == in && deadLettered <= in;
        }
    }

    private final ChaosRunner.Options options;
    private final List<Kill> kills;
    private final List<BrokerKill> brokerKills;
    private final List<Pause> pauses;
    private final Map<String, Long> refused;
    private final boolean quiescent;
    private final int threadReplacements;
    private final InvariantReport invariants;
    private final double seconds;
    private final Map<String, Ingress> ingress = new LinkedHashMap<>();
    private final Map<String, Integer> outcomes;
    private final Map<String, Integer> deadLetters = new TreeMap<>();
    private final int deadLetterCount;

    ChaosReport(ChaosRunner.Options options, List<Kill> kills, List<BrokerKill> brokerKills, List<Pause> pauses,
                Map<String, Long> sent, Map<String, Long> refused, boolean quiescent, int threadReplacements,
                EventLog log, InvariantReport invariants, double seconds) {
        this.options = options;
        this.kills = List.copyOf(kills);
        this.brokerKills = List.copyOf(brokerKills);
        this.pauses = List.copyOf(pauses);
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
                && ingress.values().stream().allMatch(Ingress::reconciled);
    }

    /** Orders cancelled for TIMEOUT. */
    public int timedOut() {
        return outcomes.getOrDefault("CANCELLED(TIMEOUT)", 0);
    }

    public List<Kill> kills() {
        return kills;
    }

    public List<BrokerKill> brokerKills() {
        return brokerKills;
    }

    public List<Pause> pauses() {
        return pauses;
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
        return kills.stream().filter(Kill::wiped).count();
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
        root.put("kills", kills.size());
        root.put("orders", invariants.orders());
        root.put("confirmed", outcomes.getOrDefault("CONFIRMED", 0));
        ObjectNode cancelled = root.putObject("cancelled");
        cancelled().forEach(cancelled::put);
        root.put("timed_out", timedOut());
        root.put("dlq", deadLetterCount);
        ObjectNode dlqByReason = root.putObject("dlq_by_reason");
        deadLetters.forEach(dlqByReason::put);
        root.put("restarts", kills.size());
        root.put("restarts_wiped", wiped());
        root.put("instances", options.instances());
        root.put("brokers", options.brokers());
        root.put("broker_kills", brokerKills.size());
        root.put("pauses", pauses.size());
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
        new TreeMap<>(refused).forEach(refusedNode::put);
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

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nChaos: %s (%d instances, %s, seed %d, %.0f s)%n", ok() ? "OK"
                : "FAILED", options.instances(), options.processingGuarantee(), options.seed(), seconds));
        out.append(String.format(Locale.ROOT, "kills:          %d SIGKILL, each restarted: %d on its state "
                + "directory, %d wiped%n", kills.size(), kills.size() - wiped(), wiped()));
        for (Kill kill : kills) {
            out.append(String.format(Locale.ROOT, "                instance %d at %.0f s (%s)%n", kill.instance(),
                    kill.at(), kill.wiped() ? "wiped" : "state kept"));
        }
        if (options.brokers() > 1) {
            out.append(String.format(Locale.ROOT, "brokers:        %d, each its own JVM; %d SIGKILL, each started "
                    + "again on its data%n", options.brokers(), brokerKills.size()));
            for (BrokerKill kill : brokerKills) {
                out.append(String.format(Locale.ROOT, "                broker %d, %s, at %.0f s (down %.1f s)%n",
                        kill.node(), kill.role(), kill.at(), kill.downSeconds()));
            }
        }
        if (!pauses.isEmpty()) {
            out.append(String.format(Locale.ROOT, "pauses:         %d SIGSTOP, each resumed with SIGCONT%n",
                    pauses.size()));
            for (Pause pause : pauses) {
                out.append(String.format(Locale.ROOT, "                instance %d at %.0f s (stopped %.1f s)%n",
                        pause.instance(), pause.at(), pause.seconds()));
            }
        }
        out.append(String.format(Locale.ROOT, "ingress:        %-22s %8s %8s %14s %8s%n", "topic", "sent", "in",
                "dead-lettered", "taken"));
        ingress.forEach((topic, c) -> out.append(String.format(Locale.ROOT,
                "                %-22s %8d %8d %14d %8d%s%n", topic, c.sent(), c.in(), c.deadLettered(),
                c.in() - c.deadLettered(), c.reconciled() ? "" : "   <- sent != in")));
        refused.forEach((what, n) -> out.append(String.format(Locale.ROOT,
                "refused:        %s: %d (the producer was told; never on the topic)%n", what, n)));
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
        out.append(invariants);
        return out.toString();
    }
}
