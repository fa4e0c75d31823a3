package io.orderflow.app.query;

import org.apache.kafka.streams.state.HostInfo;

/**
 * The answer to "what is the value of this key in this store?", as the HTTP layer needs it: the value (and who
 * served it), a key nobody has, another instance that owns the key, or no answer right now (rebalancing,
 * restoring) with a hint when to retry. Never a wrong host: {@link Remote} is only returned for a real one.
 */
public sealed interface Lookup<V> {
    record Found<V>(V value, String servedBy) implements Lookup<V> {
    }

    record NotFound<V>() implements Lookup<V> {
    }

    record Remote<V>(HostInfo owner) implements Lookup<V> {
    }

    record Unavailable<V>(String reason) implements Lookup<V> {
    }
}
