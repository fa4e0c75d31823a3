package io.orderflow.server.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.contracts.state.Stock;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.views.AnalyticsRange;
import org.apache.kafka.streams.state.HostInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The read side of one instance as the HTTP layer sees it: every key from whichever instance owns it (forwarded
 * there when it is not this one), ranges and aggregates gathered from every instance and merged, and long-polls
 * for an order's status. Every read gives an {@link Answer}.
 */
public final class Reads {
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QueryService queries;
    private final OrderWaiters waiters;
    private final Peers peers;

    public Reads(QueryService queries, OrderWaiters waiters, Peers peers) {
        this.queries = queries;
        this.waiters = waiters;
        this.peers = peers;
    }

    /**
     * How a read was asked.
     *
     * @param pathAndQuery the request to pass on to another instance (path and encoded query)
     * @param allowStale   whether a standby's copy may answer when the owner cannot
     * @param forwarded    whether another instance sent it: then it is never passed on again
     * @param localOnly    for ranges and aggregates: this instance's part only
     * @param authorization the caller's {@code Authorization} header, passed on to the instances asked, or null
     */
    public record Request(String pathAndQuery, boolean allowStale, boolean forwarded, boolean localOnly,
                          String authorization) {
    }

    /** The value of {@code key} in {@code store}, shown as {@code view} shows it. */
    public <V, T> Answer<T> key(String store, String key, Function<V, T> view, Request request)
            throws InterruptedException {
        Lookup<V> lookup = queries.get(store, key, request.allowStale());
        if (lookup instanceof Lookup.Found<V> found) {
            return found(found, view);
        }
        if (lookup instanceof Lookup.Remote<V> remote) {
            return forward(remote.owner(), remote.standbys(), request, FORWARD_TIMEOUT);
        }
        if (lookup instanceof Lookup.Unavailable<V> unavailable) {
            if (request.allowStale() && !unavailable.standbys().isEmpty() && !request.forwarded()) {
                return forward(unavailable.standbys().get(0), List.of(), request, FORWARD_TIMEOUT);
            }
            return new Answer.Unavailable<>(unavailable.reason());
        }
        return new Answer.NotFound<>();
    }

    /** An order once it reaches {@code target}, or as it is when {@code timeout} passes first. */
    public record Waited(Answer<Views.Order> answer, boolean timedOut) {
    }

    /**
     * Waits for {@code orderId} to reach {@code target}. The future fails with
     * {@link OrderWaiters.TooManyWaiters} when too many readers wait already.
     */
    public CompletableFuture<Waited> awaitOrder(String orderId, OrderWaiters.Target target, Duration timeout,
                                                Request request) throws InterruptedException {
        // Register first, then read: a change landing between the two cannot be missed.
        CompletableFuture<?> waiting = waiters.await(orderId, target, timeout);
        Lookup<OrderView> now = queries.get(StoreNames.ORDERS_VIEW, orderId, request.allowStale());
        if (now instanceof Lookup.Remote<OrderView> remote) {
            waiting.cancel(false);
            return CompletableFuture.completedFuture(new Waited(
                    forward(remote.owner(), remote.standbys(), request, timeout.plusSeconds(2)), false));
        }
        if (now instanceof Lookup.Found<OrderView> found && target.reachedBy(found.value().getStatus())) {
            waiting.cancel(false);
            return CompletableFuture.completedFuture(new Waited(found(found, Views.Order::of), false));
        }
        return waiting.handle((status, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof OrderWaiters.TooManyWaiters tooMany) {
                throw tooMany;
            }
            Lookup<OrderView> latest = queries.get(StoreNames.ORDERS_VIEW, orderId, request.allowStale());
            Answer<Views.Order> answer;
            boolean reached = false;
            if (latest instanceof Lookup.Found<OrderView> found) {
                answer = found(found, Views.Order::of);
                // The target may have been reached without this waiter hearing of it (the first look found the
                // store unavailable during a rebalance, and the change came before or elsewhere): not a timeout.
                reached = target.reachedBy(found.value().getStatus());
            } else if (latest instanceof Lookup.NotFound<OrderView>) {
                answer = new Answer.NotFound<>();
            } else {
                answer = new Answer.Unavailable<>("the order's owner moved while waiting");
            }
            return new Waited(answer, cause instanceof TimeoutException && !reached);
        });
    }

    /**
     * A page of stock over every instance, in sku order: each instance answers for its own partitions, this one
     * merges. If any instance cannot answer, unavailable — never a silently short page.
     */
    public Answer<Views.InventoryPage> inventory(String from, int limit, Request request)
            throws InterruptedException {
        var local = queries.<Stock>localRange(StoreNames.INVENTORY_STOCK, from, limit + 1);
        if (local == null) {
            return new Answer.Unavailable<>("a partition of " + StoreNames.INVENTORY_STOCK
                    + " on this instance is not queryable");
        }
        List<Views.StockLevel> items = new ArrayList<>();
        local.forEach(kv -> items.add(Views.StockLevel.of(kv.value)));
        if (!request.localOnly()) {
            Peers.Gathered pages = peers.gather(queries.otherHosts(StoreNames.INVENTORY_STOCK),
                    "/inventory?scope=local&limit=" + (limit + 1) + (from == null ? "" : "&from=" + from),
                    request.authorization());
            if (!pages.complete()) {
                return new Answer.Unavailable<>(pages.failure(), pages.retryAfterSeconds());
            }
            for (JsonNode page : pages.parts()) {
                items.addAll(read(page, Views.InventoryPage.class).items());
            }
        }
        items.sort(Comparator.comparing(Views.StockLevel::sku));
        boolean more = items.size() > limit;
        return Answer.Found.gathered(new Views.InventoryPage(more ? List.copyOf(items.subList(0, limit)) : items,
                more ? items.get(limit).sku() : null));
    }

    /**
     * Orders entering each status in the whole one-minute windows that cover the {@code window} before
     * {@code now}, over every instance; every instance sums the same windows, because this one tells the others
     * its {@code now}.
     */
    public Answer<Views.Analytics> analytics(Duration window, Instant now, Request request)
            throws InterruptedException {
        AnalyticsRange range = AnalyticsRange.covering(window, now);
        Map<String, Views.StatusTotals> statuses = new TreeMap<>();
        for (var entry : queries.<StatusWindow>localWindows(StoreNames.ORDER_ANALYTICS, range.from(),
                range.lastWindowStart())) {
            statuses.merge(entry.key.key(), new Views.StatusTotals(entry.value.getCount(),
                    new TreeMap<>(entry.value.getAmounts())), Views.StatusTotals::plus);
        }
        if (!request.localOnly()) {
            Peers.Gathered others = peers.gather(queries.otherHosts(StoreNames.ORDER_ANALYTICS),
                    "/analytics/orders?scope=local&window=" + window.toSeconds() + "s&at=" + now.toEpochMilli(),
                    request.authorization());
            if (!others.complete()) {
                return new Answer.Unavailable<>(others.failure(), others.retryAfterSeconds());
            }
            for (JsonNode other : others.parts()) {
                read(other, Views.Analytics.class).statuses().forEach((status, totals) ->
                        statuses.merge(status, totals, Views.StatusTotals::plus));
            }
        }
        return Answer.Found.gathered(new Views.Analytics(window.toString(), range.from().toString(),
                range.to().toString(), statuses));
    }

    /**
     * A page of sagas over every instance, oldest first: each instance scans its own partitions of the saga store
     * (every saga still kept, so the cost grows with {@code saga.retention}), this one merges. If any instance
     * cannot answer, unavailable — never a silently short page.
     */
    public Answer<Views.SagaPage> sagas(SagaFilter filter, Request request) throws InterruptedException {
        // Only the first limit + 1 are kept while scanning, whatever the store holds.
        java.util.PriorityQueue<Views.Saga> first = new java.util.PriorityQueue<>(SagaFilter.ORDER.reversed());
        boolean complete = queries.<SagaState>localScan(StoreNames.ORDER_SAGA, (orderId, saga) -> {
            if (filter.matches(saga)) {
                Views.Saga view = Views.Saga.of(saga);
                if (filter.matches(view)) {
                    first.add(view);
                    if (first.size() > filter.limit() + 1) {
                        first.poll();
                    }
                }
            }
        });
        List<Views.Saga> items = new ArrayList<>(first);
        if (!complete) {
            return new Answer.Unavailable<>("a partition of " + StoreNames.ORDER_SAGA
                    + " on this instance is not queryable");
        }
        if (!request.localOnly()) {
            Peers.Gathered pages = peers.gather(queries.otherHosts(StoreNames.ORDER_SAGA), filter.localQuery(),
                    request.authorization());
            if (!pages.complete()) {
                return new Answer.Unavailable<>(pages.failure(), pages.retryAfterSeconds());
            }
            for (JsonNode page : pages.parts()) {
                items.addAll(read(page, Views.SagaPage.class).items());
            }
        }
        items.sort(SagaFilter.ORDER);
        boolean more = items.size() > filter.limit();
        List<Views.Saga> page = more ? List.copyOf(items.subList(0, filter.limit())) : items;
        return Answer.Found.gathered(new Views.SagaPage(page,
                more ? SagaFilter.Cursor.of(page.get(page.size() - 1)).toString() : null));
    }

    /** Asks the owner; with allowStale, a standby when the owner does not answer. Never bounces twice. */
    private <T> Answer<T> forward(HostInfo owner, List<HostInfo> standbys, Request request, Duration timeout)
            throws InterruptedException {
        if (request.forwarded()) {
            // The owner we were told about says it is not the owner: metadata is moving. Never bounce further.
            return new Answer.Unavailable<>("ownership is moving between instances");
        }
        List<HostInfo> candidates = new ArrayList<>();
        candidates.add(owner);
        if (request.allowStale()) {
            candidates.addAll(standbys);
        }
        Peers.Reply reply = peers.forward(candidates, request.pathAndQuery(), request.authorization(), timeout);
        if (reply instanceof Peers.Answered answered) {
            return new Answer.Elsewhere<>(answered.status(), answered.body(), answered.retryAfter(),
                    answered.servedBy());
        }
        Peers.Failed failed = (Peers.Failed) reply;
        return new Answer.Unavailable<>(failed.reason(), failed.retryAfterSeconds());
    }

    private static <V, T> Answer.Found<T> found(Lookup.Found<V> found, Function<V, T> view) {
        return new Answer.Found<>(view.apply(found.value()), found.servedBy(), found.stale(), found.lag());
    }

    private static <T> T read(JsonNode part, Class<T> type) {
        try {
            return JSON.treeToValue(part, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("another instance answered a " + type.getSimpleName()
                    + " this one cannot read: " + e.getOriginalMessage(), e);
        }
    }
}
