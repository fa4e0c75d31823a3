package io.orderflow.invariants;

/**
 * One broken rule, specific enough to go and look: the key it concerns (an orderId, sku or customerId), where in
 * Kafka the evidence is when known, and what was expected against what was found.
 *
 * @param key      orderId, sku or customerId (or a topic for unreadable records)
 * @param at       the record that shows the problem, or null (e.g. for final store state)
 * @param expected what the rule demands
 * @param found    what the log or the store holds
 * @param detail   one sentence for people
 */
public record Violation(String key, Coordinates at, String expected, String found, String detail) {

    static Violation of(String key, Coordinates at, String detail, Object expected, Object found) {
        return new Violation(key, at, String.valueOf(expected), String.valueOf(found), detail);
    }

    @Override
    public String toString() {
        return key + (at == null ? "" : " at " + at) + ": " + detail + " (expected " + expected + ", found "
                + found + ")";
    }
}
