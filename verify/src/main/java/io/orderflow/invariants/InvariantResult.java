package io.orderflow.invariants;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one invariant: whether it holds, how many items (orders, skus, customers, records) were
 * checked, how many violations there were and the first {@value #MAX_LISTED} of them.
 *
 * @param invariant      which rule
 * @param status         OK, VIOLATED or NOT_CHECKED
 * @param checked        how many items were examined
 * @param violationCount all violations found, listed or not
 * @param violations     the first violations, at most {@value #MAX_LISTED}
 */
public record InvariantResult(Invariant invariant, Status status, int checked, int violationCount,
                              List<Violation> violations) {
    public static final int MAX_LISTED = 10;

    /** Whether a rule held, was broken, or could not be checked. */
    public enum Status { OK, VIOLATED, NOT_CHECKED }

    public InvariantResult {
        Objects.requireNonNull(invariant, "invariant");
        Objects.requireNonNull(status, "status");
        violations = List.copyOf(violations);
    }

    /** The result of checking {@code invariant} over {@code checked} items with these violations. */
    public static InvariantResult of(Invariant invariant, int checked, List<Violation> all) {
        List<Violation> first = all.size() <= MAX_LISTED ? all : all.subList(0, MAX_LISTED);
        return new InvariantResult(invariant, all.isEmpty() ? Status.OK : Status.VIOLATED, checked, all.size(),
                first);
    }

    /** An invariant nobody checked (e.g. {@link Invariant#NO_OPEN_TRANSACTIONS} without a broker). */
    public static InvariantResult notChecked(Invariant invariant) {
        return new InvariantResult(invariant, Status.NOT_CHECKED, 0, 0, List.of());
    }

    /** True only when the rule was checked and holds. */
    public boolean ok() {
        return status == Status.OK;
    }

    public boolean violated() {
        return status == Status.VIOLATED;
    }
}
