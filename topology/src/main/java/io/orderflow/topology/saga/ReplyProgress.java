package io.orderflow.topology.saga;

/**
 * How far Orderflow's own reply path has been processed: the wall-clock time before which every payment and
 * inventory command the saga sent has been executed and its reply read back by the saga. A saga's deadline is
 * judged against this, not against the wall clock alone, so an order is never cancelled for TIMEOUT while its
 * replies may still be waiting in Orderflow's own backlog — after an outage, a rebalance, a restore, a broker
 * failing over. A reply still missing once the path has caught up past the deadline is really missing, and the
 * deadline fires.
 */
@FunctionalInterface
public interface ReplyProgress {
    /** Deadlines are judged by the wall clock alone (TopologyTestDriver, where nothing is ever behind). */
    ReplyProgress WALL_CLOCK = () -> Long.MAX_VALUE;

    /** Epoch milliseconds before which every command sent has been answered and the answer read back. */
    long answeredThrough();
}
