package io.orderflow.server.http;

import io.orderflow.domain.Text;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.orderflow.server.metrics.MicrometerMetrics;
import io.orderflow.server.query.Lookup;
import io.orderflow.server.query.Peers;
import io.orderflow.server.query.OrderWaiters;
import io.orderflow.server.query.QueryService;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Ids;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.views.AnalyticsRange;
import org.apache.kafka.streams.state.HostInfo;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The read API over HTTP (JSON). Every instance serves every key: a key owned by another instance is fetched from
 * it, and the answer says which instance served it. While no owner is known (rebalancing, restoring) the answer is
 * 503 with {@code Retry-After}, or with {@code allowStale=true} a standby's copy marked stale; an unknown key is
 * 404; a malformed id or parameter is 400 naming it. {@code GET /orders/{id}?waitFor=…&timeout=…} long-polls.
 * Every other error answer (unknown path, wrong method, what Jetty refuses) is {@link HttpErrors}'.
 */
public final class HttpApi implements AutoCloseable {
    private static final String FORWARDED = Peers.FORWARDED;
    private static final String SERVED_BY = Peers.SERVED_BY;
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final TypeReference<Map<String, Long>> LONGS = new TypeReference<>() { };

    private final QueryService queries;
    private final OrderWaiters waiters;
    private final Peers peers = new Peers();
    private Javalin app;

    private HttpApi(QueryService queries, OrderWaiters waiters) {
        this.queries = queries;
        this.waiters = waiters;
    }

    /**
     * Starts the server; a port already taken fails with a message that says so.
     *
     * @param extraRoutes more routes on the same server (the intake role), or none
     */
    public static HttpApi start(String host, int port, QueryService queries,
                                MicrometerMetrics metrics, OrderWaiters waiters, Consumer<JavalinConfig> extraRoutes) {
        HttpApi api = new HttpApi(queries, waiters);
        api.app = HttpServers.start(host, port, config -> {
            config.routes.get("/ready", api::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/instances", api::instances);
            config.routes.get("/orders/{id}", api::order);
            config.routes.get("/inventory", api::inventoryRange);
            config.routes.get("/analytics/orders", api::analytics);
            config.routes.get("/customers/{customerId}/orders", ctx -> api.lookup(ctx, "customerId",
                    StoreNames.CUSTOMER_ORDERS_VIEW, "customer",
                    (CustomerOrders v) -> Representations.customer(v)));
            config.routes.get("/inventory/{sku}", ctx -> api.lookup(ctx, "sku", StoreNames.INVENTORY_STOCK,
                    "sku", (Stock v) -> Representations.stock(v)));
            config.routes.get("/accounts/{customerId}", ctx -> api.lookup(ctx, "customerId",
                    StoreNames.PAYMENT_ACCOUNTS, "account", (Account v) -> Representations.account(v)));
            extraRoutes.accept(config);
        });
        return api;
    }

    public int port() {
        return app.port();
    }

    /** Ready = Kafka Streams RUNNING and every queryable store answering on this instance. */
    private void ready(Context ctx) {
        QueryService.Readiness readiness = queries.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", readiness.ready());
        body.put("streams", readiness.streams());
        if (!readiness.ready()) {
            body.put("reason", readiness.reason());
            ctx.header("Retry-After", "1");
        }
        json(ctx, readiness.ready() ? 200 : 503, body);
    }

    private void instances(Context ctx) {
        json(ctx, 200, Map.of("instances", queries.instances()));
    }

    /**
     * A page of stock over every instance, in sku order: each instance answers for its own partitions
     * ({@code scope=local}), this one merges. If any instance cannot answer, 503 — never a silently short page.
     */
    private void inventoryRange(Context ctx) throws InterruptedException {
        String from = ctx.queryParam("from");
        if (from != null && Ids.problem("from", from) != null) {
            error(ctx, 400, Ids.problem("from", from));
            return;
        }
        Integer limit = intParam(ctx, "limit", 100, 1, 1000);
        if (limit == null) {
            return;
        }
        var local = queries.<Stock>localRange(StoreNames.INVENTORY_STOCK, from, limit + 1);
        if (local == null) {
            unavailable(ctx, "a partition of " + StoreNames.INVENTORY_STOCK + " on this instance is not queryable");
            return;
        }
        List<Map<String, Object>> items = new ArrayList<>();
        local.forEach(kv -> items.add(Representations.stock(kv.value)));
        if (!"local".equals(ctx.queryParam("scope"))) {
            String query = "/inventory?scope=local&limit=" + (limit + 1) + (from == null ? "" : "&from=" + from);
            Peers.Gathered pages = peers.gather(queries.otherHosts(StoreNames.INVENTORY_STOCK), query);
            if (!pages.complete()) {
                unavailable(ctx, pages.failure());
                return;
            }
            pages.parts().forEach(page -> page.get("items").forEach(item -> items.add(JSON.convertValue(item, MAP))));
        }
        items.sort(java.util.Comparator.comparing(item -> (String) item.get("sku")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items.size() > limit ? items.subList(0, limit) : items);
        body.put("next", items.size() > limit ? items.get(limit).get("sku") : null);
        json(ctx, 200, body);
    }

    /**
     * Orders entering each status in the whole one-minute windows that cover the last {@code window} (default 1m),
     * over every instance; {@code from} and {@code to} in the answer are those windows' bounds.
     */
    private void analytics(Context ctx) throws InterruptedException {
        Duration window;
        try {
            window = OrderflowConfig.parseDuration(ctx.queryParamAsClass("window", String.class).getOrDefault("1m"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "window must be a duration such as 1m, 15m or 24h, was '" + ctx.queryParam("window") + "'");
            return;
        }
        if (window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
            error(ctx, 400, "window must be between 1m and 24h (the retention), was " + window);
            return;
        }
        // Every instance sums the same whole windows: the gathering one tells the others its "now".
        java.time.Instant now = java.time.Instant.now();
        if ("local".equals(ctx.queryParam("scope")) && ctx.queryParam("at") != null) {
            try {
                now = java.time.Instant.ofEpochMilli(Long.parseLong(ctx.queryParam("at")));
            } catch (NumberFormatException e) {
                error(ctx, 400, "at must be epoch milliseconds, was '" + ctx.queryParam("at") + "'");
                return;
            }
        }
        AnalyticsRange range = AnalyticsRange.covering(window, now);
        Map<String, Map<String, Object>> statuses = new java.util.TreeMap<>();
        for (var entry : queries.<io.orderflow.contracts.state.StatusWindow>localWindows(StoreNames.ORDER_ANALYTICS,
                range.from(), range.lastWindowStart())) {
            add(statuses, entry.key.key(), entry.value.getCount(), entry.value.getAmounts());
        }
        if (!"local".equals(ctx.queryParam("scope"))) {
            Peers.Gathered others = peers.gather(queries.otherHosts(StoreNames.ORDER_ANALYTICS),
                    "/analytics/orders?scope=local&window=" + window.toSeconds() + "s&at=" + now.toEpochMilli());
            if (!others.complete()) {
                unavailable(ctx, others.failure());
                return;
            }
            others.parts().forEach(other -> other.get("statuses").fields().forEachRemaining(e -> add(statuses,
                    e.getKey(), e.getValue().get("count").asLong(),
                    JSON.convertValue(e.getValue().get("amounts"), LONGS))));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("window", window.toString());
        body.put("from", range.from().toString());
        body.put("to", range.to().toString());
        body.put("statuses", statuses);
        json(ctx, 200, body);
    }

    @SuppressWarnings("unchecked")
    private static void add(Map<String, Map<String, Object>> statuses, String status, long count,
                            Map<String, Long> amounts) {
        Map<String, Object> totals = statuses.computeIfAbsent(status, k -> {
            Map<String, Object> fresh = new LinkedHashMap<>();
            fresh.put("count", 0L);
            fresh.put("amounts", new java.util.TreeMap<String, Long>());
            return fresh;
        });
        totals.put("count", (Long) totals.get("count") + count);
        amounts.forEach((currency, amount) ->
                ((Map<String, Long>) totals.get("amounts")).merge(currency, amount, Long::sum));
    }

    /** An integer query parameter within bounds, or null after answering 400 naming it. */
    private static Integer intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        error(ctx, 400, name + " must be an integer from " + min + " to " + max + ", was '" + text + "'");
        return null;
    }

    private void order(Context ctx) throws Exception {
        String waitFor = ctx.queryParam("waitFor");
        if (waitFor == null) {
            lookup(ctx, "id", StoreNames.ORDERS_VIEW, "order", (OrderView v) -> Representations.order(v));
            return;
        }
        OrderWaiters.Target target;
        try {
            target = OrderWaiters.Target.valueOf(waitFor.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "waitFor must be CONFIRMED, CANCELLED or TERMINAL, was '" + waitFor + "'");
            return;
        }
        Duration timeout;
        try {
            timeout = OrderflowConfig.parseDuration(ctx.queryParamAsClass("timeout", String.class).getOrDefault("5s"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, "timeout must be a duration such as 5s or 500ms, was '" + ctx.queryParam("timeout") + "'");
            return;
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_WAIT) > 0) {
            error(ctx, 400, "timeout must be between 1ms and " + MAX_WAIT.toSeconds() + "s, was " + timeout);
            return;
        }
        String orderId = ctx.pathParam("id");
        String problem = Ids.problem("id", orderId);
        if (problem != null) {
            error(ctx, 400, problem);
            return;
        }
        waitForOrder(ctx, orderId, target, timeout);
    }

    private void waitForOrder(Context ctx, String orderId, OrderWaiters.Target target, Duration timeout)
            throws Exception {
        // Register first, then read: a change landing between the two cannot be missed.
        CompletableFuture<?> waiting = waiters.await(orderId, target, timeout);
        Lookup<OrderView> now = queries.get(StoreNames.ORDERS_VIEW, orderId, allowStale(ctx));
        if (now instanceof Lookup.Remote<OrderView> remote) {
            waiting.cancel(false);
            forward(ctx, remote.owner(), remote.standbys(), timeout.plusSeconds(2));
            return;
        }
        if (now instanceof Lookup.Found<OrderView> found && target.reachedBy(found.value().getStatus())) {
            waiting.cancel(false);
            found(ctx, found, Representations::order);
            return;
        }
        ctx.future(() -> waiting.handle((status, failure) -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause()
                    : failure;
            if (cause instanceof OrderWaiters.TooManyWaiters) {
                ctx.header("Retry-After", "1");
                error(ctx, 503, cause.getMessage());
                return null;
            }
            Lookup<OrderView> latest = queries.get(StoreNames.ORDERS_VIEW, orderId, allowStale(ctx));
            int code = cause instanceof TimeoutException ? 408 : 200;
            if (latest instanceof Lookup.Found<OrderView> found) {
                Map<String, Object> body = body(found, Representations::order);
                if (code == 408) {
                    body.put("waitTimedOut", true);
                }
                json(ctx, code, body);
            } else if (latest instanceof Lookup.NotFound<OrderView>) {
                error(ctx, code == 408 ? 404 : 503, "no order '" + orderId + "' after waiting " + timeout);
            } else {
                unavailable(ctx, "the order's owner moved while waiting");
            }
            return null;
        }));
    }

    private <V> void lookup(Context ctx, String param, String store, String what, Function<V, Map<String, Object>> view)
            throws InterruptedException {
        String key = ctx.pathParam(param);
        String problem = Ids.problem(param, key);
        if (problem != null) {
            error(ctx, 400, problem);
            return;
        }
        Lookup<V> answer = queries.get(store, key, allowStale(ctx));
        if (answer instanceof Lookup.Found<V> found) {
            found(ctx, found, view);
        } else if (answer instanceof Lookup.NotFound<V>) {
            error(ctx, 404, "no " + what + " '" + key + "'");
        } else if (answer instanceof Lookup.Unavailable<V> unavailable) {
            if (allowStale(ctx) && !unavailable.standbys().isEmpty() && ctx.header(FORWARDED) == null) {
                forward(ctx, unavailable.standbys().get(0), List.of(), Duration.ofSeconds(5));
            } else {
                unavailable(ctx, unavailable.reason());
            }
        } else if (answer instanceof Lookup.Remote<V> remote) {
            forward(ctx, remote.owner(), remote.standbys(), Duration.ofSeconds(5));
        }
    }

    private <V> void found(Context ctx, Lookup.Found<V> found, Function<V, Map<String, Object>> view) {
        ctx.header(SERVED_BY, found.servedBy());
        json(ctx, 200, body(found, view));
    }

    private static <V> Map<String, Object> body(Lookup.Found<V> found, Function<V, Map<String, Object>> view) {
        Map<String, Object> body = new LinkedHashMap<>(view.apply(found.value()));
        body.put("servedBy", found.servedBy());
        if (found.stale()) {
            body.put("stale", true);
            body.put("lag", found.lag());
        }
        return body;
    }

    /** {@code allowStale=true|false}; anything else is refused rather than read as false. */
    private static boolean allowStale(Context ctx) {
        String text = ctx.queryParam("allowStale");
        if (text == null || "false".equalsIgnoreCase(text)) {
            return false;
        }
        if ("true".equalsIgnoreCase(text)) {
            return true;
        }
        throw new BadRequestResponse("allowStale must be true or false, was '" + Text.abbreviate(text, 80) + "'");
    }

    /** Asks the owner; with allowStale, a standby when the owner does not answer. Never bounces twice. */
    private void forward(Context ctx, HostInfo owner, List<HostInfo> standbys, Duration timeout)
            throws InterruptedException {
        if (ctx.header(FORWARDED) != null) {
            // The owner we were told about says it is not the owner: metadata is moving. Never bounce further.
            unavailable(ctx, "ownership is moving between instances");
            return;
        }
        List<HostInfo> candidates = new ArrayList<>();
        candidates.add(owner);
        if (allowStale(ctx)) {
            candidates.addAll(standbys);
        }
        Peers.Reply reply = peers.forward(candidates, ctx.path() + reencodedQuery(ctx), timeout);
        if (reply instanceof Peers.Answered answer) {
            answer.retryAfter().ifPresent(v -> ctx.header("Retry-After", v));
            answer.servedBy().ifPresent(v -> ctx.header(SERVED_BY, v));
            ctx.status(answer.status()).contentType("application/json").result(answer.body());
        } else if (reply instanceof Peers.Failed failed) {
            unavailable(ctx, failed.reason());
        }
    }

    /**
     * The query to pass on to another instance, rebuilt from the parsed parameters: the raw query string may hold
     * characters Jetty accepts but {@link URI} does not (e.g. {@code |}), which must not turn into a 500 here.
     */
    private static String reencodedQuery(Context ctx) {
        StringBuilder query = new StringBuilder();
        ctx.queryParamMap().forEach((name, values) -> values.forEach(value -> query
                .append(query.length() == 0 ? '?' : '&')
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8))));
        return query.toString();
    }


    private static void unavailable(Context ctx, String reason) {
        ctx.header("Retry-After", "1");
        error(ctx, 503, "not available right now, retry: " + reason);
    }

    private static void error(Context ctx, int status, String message) {
        HttpErrors.error(ctx, status, message);
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
