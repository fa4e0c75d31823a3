package io.orderflow.invariants;

/**
 * The consistency rules of DESIGN.md ("Exactly-once and what consistent means here") that {@link InvariantChecker}
 * checks from topic contents and final store contents, plus the two only a broker can answer
 * ({@link #NO_OPEN_TRANSACTIONS}, {@link #PLACEMENT}), which a caller checks itself and adds with
 * {@link InvariantReport#with}.
 */
public enum Invariant {
    /** Invariant 1. */
    TERMINAL("every order placed (and not dead-lettered) ends CONFIRMED or CANCELLED through transitions the saga "
            + "allows; nothing follows CANCELLED; after CONFIRMED only COMPENSATING then CANCELLED(CUSTOMER)"),
    /** Invariant 2. */
    CONTIGUOUS_VERSIONS("per order, the versions on order.status are exactly 1..n in topic order"),
    /** Invariant 3. */
    STOCK("per sku, onHand = applied adjustments - confirmed lines; no reservation left; 0 <= reserved <= onHand; "
            + "every reservation committed or released"),
    /** Invariant 4. */
    MONEY("per customer, balance = applied deposits - captured + refunded; each confirmed order captured once, "
            + "each refunded order refunded once; no hold left; balance >= 0"),
    /** Invariant 5. */
    READ_MODELS("orders-view and customer-orders-view equal the fold of order.status with Views"),
    /** Output records that could not be read at all. */
    UNREADABLE_OUTPUT("every record on order.status, payment.replies, inventory.replies and orderflow.dlq is readable"),
    /** DESIGN "Errors and bad input": an unreadable or ill-identified ingress record never disappears. */
    DEAD_LETTERED("every ingress record that cannot be read, is over the size limit or has an invalid key/id/eventId "
            + "is dead-lettered, and every dead letter of an ingress record names a record that exists"),
    /** Invariant 6: needs a broker (last stable offset = end offset); filled in by the caller. */
    NO_OPEN_TRANSACTIONS("no open transaction on any output partition (last stable offset = end offset)"),
    /**
     * DESIGN "Partitioning: any producer": needs the partition each changelog record sits on; filled in by the
     * caller.
     */
    PLACEMENT("every record in the changelogs of the keyed stores lives in the partition its key hashes to "
            + "(murmur2, as Kafka Streams routes every query and command), so no state sits where nothing reaches it");

    private final String rule;

    Invariant(String rule) {
        this.rule = rule;
    }

    /** The rule in one sentence, for reports. */
    public String rule() {
        return rule;
    }

    /** True for invariants {@link InvariantChecker} cannot check from an {@link EventLog} alone. */
    public boolean external() {
        return this == NO_OPEN_TRANSACTIONS || this == PLACEMENT;
    }
}
