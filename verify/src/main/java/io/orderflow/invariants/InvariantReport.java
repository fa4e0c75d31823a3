package io.orderflow.invariants;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link InvariantChecker} found: one {@link InvariantResult} per {@link Invariant}. The report is
 * {@link #ok()} when no checked invariant is violated; invariants nobody checked are shown as NOT_CHECKED and do
 * not fail it. {@link #toString()} is a table for people, {@link #toJson()} one line for machines
 * ({@code saga verify --json}).
 */
public final class InvariantReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int orders;
    private final Map<Invariant, InvariantResult> results;

    InvariantReport(int orders, Map<Invariant, InvariantResult> results) {
        this.orders = orders;
        EnumMap<Invariant, InvariantResult> all = new EnumMap<>(Invariant.class);
        for (Invariant invariant : Invariant.values()) {
            all.put(invariant, results.getOrDefault(invariant, InvariantResult.notChecked(invariant)));
        }
        this.results = Collections.unmodifiableMap(all);
    }

    /** A copy of this report with {@code result} replacing its invariant's, e.g. a broker-side check. */
    public InvariantReport with(InvariantResult result) {
        EnumMap<Invariant, InvariantResult> next = new EnumMap<>(results);
        next.put(result.invariant(), result);
        return new InvariantReport(orders, next);
    }

    /** True when no invariant was violated. */
    public boolean ok() {
        return results.values().stream().noneMatch(InvariantResult::violated);
    }

    /** How many orders were placed in the log. */
    public int orders() {
        return orders;
    }

    public InvariantResult result(Invariant invariant) {
        return results.get(invariant);
    }

    /** Every invariant's result, in {@link Invariant} order. */
    public Map<Invariant, InvariantResult> results() {
        return results;
    }

    /** The listed violations of one invariant (at most {@value InvariantResult#MAX_LISTED}). */
    public List<Violation> violations(Invariant invariant) {
        return results.get(invariant).violations();
    }

    /** One line of JSON: {@code {"ok":..,"orders":..,"invariants":{"TERMINAL":{"ok":..,"checked":..,...}}}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("ok", ok());
        root.put("orders", orders);
        ObjectNode invariants = root.putObject("invariants");
        for (InvariantResult result : results.values()) {
            ObjectNode node = invariants.putObject(result.invariant().name());
            if (result.status() == InvariantResult.Status.NOT_CHECKED) {
                node.putNull("ok");
            } else {
                node.put("ok", result.ok());
            }
            node.put("status", result.status().name());
            node.put("checked", result.checked());
            node.put("violationCount", result.violationCount());
            ArrayNode violations = node.putArray("violations");
            for (Violation violation : result.violations()) {
                ObjectNode v = violations.addObject();
                v.put("key", violation.key());
                if (violation.at() != null) {
                    v.put("at", violation.at().toString());
                }
                v.put("expected", violation.expected());
                v.put("found", violation.found());
                v.put("detail", violation.detail());
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the invariant report as JSON", e);
        }
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append("Invariants: ").append(ok() ? "OK" : "VIOLATED").append(" (").append(orders).append(" orders)\n");
        out.append(String.format("  %-22s %-12s %9s %11s%n", "invariant", "status", "checked", "violations"));
        for (InvariantResult result : results.values()) {
            out.append(String.format("  %-22s %-12s %9d %11d%n", result.invariant().name(), result.status(),
                    result.checked(), result.violationCount()));
        }
        for (InvariantResult result : results.values()) {
            if (!result.violated()) {
                continue;
            }
            out.append(result.invariant().name()).append(" — ").append(result.invariant().rule()).append('\n');
            for (Violation violation : result.violations()) {
                out.append("  - ").append(violation).append('\n');
            }
            if (result.violationCount() > result.violations().size()) {
                out.append("  … and ").append(result.violationCount() - result.violations().size())
                        .append(" more\n");
            }
        }
        return out.toString();
    }
}
