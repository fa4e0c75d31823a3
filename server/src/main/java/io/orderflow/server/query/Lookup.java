package io.orderflow.server.query;

import org.apache.kafka.streams.state.HostInfo;

import java.util.List;

/**
 * The answer to "what is the value of this key in this store?", as the HTTP layer needs it: the value (who served
 * it, and whether it is a standby's possibly stale copy), a key nobody has, the instance(s) that own the key, or
 * no answer right now (rebalancing, restoring). Never a wrong host: {@link Remote} only names real ones.
 */
public sealed interface Lookup<V> {
    /** @param lag for a standby copy, how many changelog records it is behind (0 for the active copy) */
    record Found<V>(V value, String servedBy, boolean stale, long lag) implements Lookup<V> {
    }

    record NotFound<V>() implements Lookup<V> {
    }

    /** @param standbys hosts with a standby copy, to try when {@code allowStale} and the owner does not answer */
    record Remote<V>(HostInfo owner, List<HostInfo> standbys) implements Lookup<V> {
    }

    record Unavailable<V>(String reason, List<HostInfo> standbys) implements Lookup<V> {
    }
}
