package io.orderflow.app.query;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

import java.util.List;
import java.util.Set;

/**
 * Key lookups in the Orderflow stores through interactive queries (IQv2), for one instance. Knows which instance
 * owns a key; queries locally when that is this one. Knows nothing of HTTP.
 */
public final class QueryService {
    private final KafkaStreams streams;
    private final HostInfo self;

    public QueryService(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    public HostInfo self() {
        return self;
    }

    /** Stores the HTTP API reads; readiness means each of them answers here. */
    public static final List<String> QUERYABLE = List.of(StoreNames.ORDERS_VIEW, StoreNames.CUSTOMER_ORDERS_VIEW,
            StoreNames.INVENTORY_STOCK, StoreNames.PAYMENT_ACCOUNTS);

    /** The first queryable store that does not answer on this instance, with why; null when all do. */
    public String unqueryableStore() {
        for (String store : QUERYABLE) {
            try {
                streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
            } catch (InvalidStateStoreException e) {
                return store + " is not queryable yet: " + e.getMessage();
            }
        }
        return null;
    }

    /** The value of {@code key} in {@code store}, a key-value store keyed by string. */
    public <V> Lookup<V> get(String store, String key) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return new Lookup.Unavailable<>("instance is " + streams.state());
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Lookup.Unavailable<>("metadata not available: " + e.getMessage());
        }
        // Checking for null alone is the classic bug: during a rebalance the answer is NOT_AVAILABLE, whose host
        // is "unavailable:-1".
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                || metadata.activeHost() == null || metadata.activeHost().port() < 0) {
            return new Lookup.Unavailable<>("no active owner for the key right now (rebalancing)");
        }
        if (!metadata.activeHost().equals(self)) {
            return new Lookup.Remote<>(metadata.activeHost());
        }
        int partition = metadata.partition();
        StateQueryRequest<V> request = StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<String, V>withKey(key))
                .withPartitions(Set.of(partition));
        StateQueryResult<V> result = streams.query(request);
        QueryResult<V> partitionResult = result.getPartitionResults().get(partition);
        if (partitionResult == null) {
            return new Lookup.Unavailable<>("partition " + partition + " of " + store + " is not here any more");
        }
        if (partitionResult.isFailure()) {
            FailureReason reason = partitionResult.getFailureReason();
            return new Lookup.Unavailable<>(store + " partition " + partition + ": " + reason + " "
                    + partitionResult.getFailureMessage());
        }
        V value = partitionResult.getResult();
        return value == null ? new Lookup.NotFound<>() : new Lookup.Found<>(value, self.host() + ":" + self.port());
    }
}
