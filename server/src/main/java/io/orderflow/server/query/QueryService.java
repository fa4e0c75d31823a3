package io.orderflow.server.query;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Key lookups in the Orderflow stores through interactive queries (IQv2), for one instance. Knows which instance
 * owns a key; queries locally when that is this one. Knows nothing of HTTP.
 */
public final class QueryService {
    private final KafkaStreams streams;
    private final HostInfo self;
    private final RestoreProgress restores;
    private final LocalHints hints = new LocalHints();

    /** @param restores what the instance restores from changelogs now (its global restore listener) */
    public QueryService(KafkaStreams streams, HostInfo self, RestoreProgress restores) {
        this.streams = streams;
        this.self = self;
        this.restores = restores;
    }

    public HostInfo self() {
        return self;
    }

    /** Stores the HTTP API reads; readiness means each of them answers here. */
    public static final List<String> QUERYABLE = List.of(StoreNames.ORDERS_VIEW, StoreNames.CUSTOMER_ORDERS_VIEW,
            StoreNames.INVENTORY_STOCK, StoreNames.PAYMENT_ACCOUNTS);

    /**
     * Whether this instance can answer queries: Kafka Streams RUNNING and every {@link #QUERYABLE} store answering.
     *
     * @param streams   Kafka Streams' state
     * @param reason    why not, or null when ready
     * @param restoring the stores being restored from their changelogs now, with progress; empty when none
     */
    public record Readiness(String streams, String reason, Map<String, RestoreProgress.Store> restoring) {
        public boolean ready() {
            return reason == null;
        }
    }

    public Readiness readiness() {
        KafkaStreams.State state = streams.state();
        Map<String, RestoreProgress.Store> restoring = restores.stores();
        String reason = state == KafkaStreams.State.RUNNING ? unqueryableStore() : "streams " + state;
        if (reason != null && !restoring.isEmpty()) {
            RestoreProgress.Store total = RestoreProgress.total(restoring);
            reason += "; restoring " + total.restored() + " of " + (total.restored() + total.remaining())
                    + " records from changelogs";
        }
        return new Readiness(state.name(), reason, restoring);
    }

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

    /** The value of {@code key} in {@code store} from its active copy, wherever that is. */
    public <V> Lookup<V> get(String store, String key) {
        return get(store, key, false);
    }

    /**
     * The value of {@code key} in {@code store}, a key-value store keyed by string. With {@code allowStale}, a
     * standby copy on this instance answers when the active one cannot (marked stale, with its lag).
     */
    public <V> Lookup<V> get(String store, String key, boolean allowStale) {
        if (streams.state() != KafkaStreams.State.RUNNING && streams.state() != KafkaStreams.State.REBALANCING) {
            return new Lookup.Unavailable<>("instance is " + streams.state(), List.of());
        }
        Integer hinted = hints.activePartition(store, key);
        if (hinted != null) {
            Lookup<V> here = local(store, key, hinted, true);
            if (!(here instanceof Lookup.Unavailable<V>)) {
                return here;
            }
            hints.forget(store, hinted);
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return new Lookup.Unavailable<>("metadata not available: " + e.getMessage(), List.of());
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Lookup.Unavailable<>("no owner for the key right now (rebalancing)", List.of());
        }
        List<HostInfo> standbys = metadata.standbyHosts().stream()
                .filter(h -> h.port() >= 0 && !h.equals(self)).toList();
        boolean activeKnown = metadata.activeHost() != null && metadata.activeHost().port() >= 0;
        boolean standbyHere = metadata.standbyHosts().contains(self);
        hints.learn(store, key, metadata.partition(), activeKnown && metadata.activeHost().equals(self));
        if (activeKnown && metadata.activeHost().equals(self)) {
            Lookup<V> active = local(store, key, metadata.partition(), true);
            if (active instanceof Lookup.Unavailable<V> && allowStale && standbyHere) {
                return local(store, key, metadata.partition(), false);
            }
            return active instanceof Lookup.Unavailable<V> u ? new Lookup.Unavailable<>(u.reason(), standbys) : active;
        }
        if (allowStale && standbyHere) {
            Lookup<V> standby = local(store, key, metadata.partition(), false);
            if (!(standby instanceof Lookup.Unavailable<V>)) {
                return standby;
            }
        }
        if (!activeKnown) {
            // Checking for null alone is the classic bug: the host of an unknown owner is "unavailable:-1".
            return new Lookup.Unavailable<>("no active owner for the key right now (rebalancing)", standbys);
        }
        return new Lookup.Remote<>(metadata.activeHost(), standbys);
    }

    private <V> Lookup<V> local(String store, String key, int partition, boolean active) {
        StateQueryRequest<V> request = StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<String, V>withKey(key))
                .withPartitions(Set.of(partition));
        if (active) {
            request = request.requireActive();
        }
        StateQueryResult<V> result = streams.query(request);
        QueryResult<V> partitionResult = result.getPartitionResults().get(partition);
        if (partitionResult == null) {
            return new Lookup.Unavailable<>("partition " + partition + " of " + store + " is not here", List.of());
        }
        if (partitionResult.isFailure()) {
            FailureReason reason = partitionResult.getFailureReason();
            return new Lookup.Unavailable<>(store + " partition " + partition + ": " + reason + " "
                    + partitionResult.getFailureMessage(), List.of());
        }
        V value = partitionResult.getResult();
        long lag = active ? 0 : lag(store, partition);
        if (value == null) {
            // A standby that is behind may simply not have the key yet: "not found" would be a wrong answer.
            return active || lag == 0 ? new Lookup.NotFound<>()
                    : new Lookup.Unavailable<>("the standby copy here is " + (lag < 0 ? "an unknown number of"
                    : Long.toString(lag)) + " records behind and does not have the key", List.of());
        }
        return new Lookup.Found<>(value, self.host() + ":" + self.port(), !active, lag);
    }

    private long lag(String store, int partition) {
        try {
            var lags = streams.allLocalStorePartitionLags().get(store);
            return lags == null || lags.get(partition) == null ? -1 : lags.get(partition).offsetLag();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The other instances hosting {@code store}, to gather a range from; empty when this is the only one. */
    public List<HostInfo> otherHosts(String store) {
        return streams.streamsMetadataForStore(store).stream().map(m -> m.hostInfo())
                .filter(h -> !h.equals(self) && h.port() >= 0).distinct().toList();
    }

    /**
     * The first {@code limit} entries at or after {@code from} (null: from the start) of this instance's active
     * partitions of {@code store}, in key order; null when a partition is not queryable right now.
     */
    public <V> List<KeyValue<String, V>> localRange(String store, String from, int limit) {
        List<KeyValue<String, V>> entries = new ArrayList<>();
        boolean complete = eachActivePartition(store,
                from == null ? RangeQuery.<String, V>withNoBounds() : RangeQuery.<String, V>withLowerBound(from),
                it -> {
                    for (int taken = 0; it.hasNext() && taken < limit; taken++) {
                        entries.add(it.next());
                    }
                });
        if (!complete) {
            return null;
        }
        entries.sort(Comparator.comparing(kv -> kv.key));
        return entries.size() > limit ? new ArrayList<>(entries.subList(0, limit)) : entries;
    }

    /**
     * Visits every entry of this instance's active partitions of {@code store}, in no particular order; false when a
     * partition is not queryable right now (then the visit is incomplete and must not be answered as if it were).
     */
    public <V> boolean localScan(String store, java.util.function.BiConsumer<String, V> visit) {
        return eachActivePartition(store, RangeQuery.<String, V>withNoBounds(),
                it -> it.forEachRemaining(kv -> visit.accept(kv.key, kv.value)));
    }

    /**
     * Runs {@code query} on this instance's active partitions of {@code store} and hands each partition's iterator to
     * {@code read} (closing it after); a standby copy here is skipped, its active owner answers for it. False, at the
     * first partition that cannot answer right now.
     */
    private <V> boolean eachActivePartition(String store, RangeQuery<String, V> query,
                                            java.util.function.Consumer<KeyValueIterator<String, V>> read) {
        StateQueryResult<KeyValueIterator<String, V>> result = streams.query(
                StateQueryRequest.inStore(store).withQuery(query).requireActive());
        for (QueryResult<KeyValueIterator<String, V>> partition : result.getPartitionResults().values()) {
            if (partition.isFailure() && partition.getFailureReason() == FailureReason.NOT_ACTIVE) {
                continue;
            }
            if (partition.isFailure()) {
                return false;
            }
            try (KeyValueIterator<String, V> it = partition.getResult()) {
                read.accept(it);
            }
        }
        return true;
    }

    /** Every window of {@code store} on this instance's active partitions overlapping [from, to]. */
    public <V> List<KeyValue<Windowed<String>, V>> localWindows(String store, Instant from, Instant to) {
        ReadOnlyWindowStore<String, V> windows = streams.store(StoreQueryParameters.fromNameAndType(store,
                QueryableStoreTypes.<String, V>windowStore()));
        List<KeyValue<Windowed<String>, V>> entries = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, V> it = windows.fetchAll(from, to)) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    /** Every instance of this application with the partitions it hosts, active and standby. */
    public List<InstanceInfo> instances() {
        return streams.metadataForAllStreamsClients().stream()
                .map(m -> new InstanceInfo(m.hostInfo().host() + ":" + m.hostInfo().port(),
                        m.hostInfo().equals(self),
                        m.topicPartitions().stream().map(Object::toString).sorted().toList(),
                        m.standbyTopicPartitions().stream().map(Object::toString).sorted().toList()))
                .sorted(Comparator.comparing(InstanceInfo::host))
                .toList();
    }

    /** One instance as {@code GET /instances} shows it. */
    public record InstanceInfo(String host, boolean self, List<String> active, List<String> standby) {
    }
}
