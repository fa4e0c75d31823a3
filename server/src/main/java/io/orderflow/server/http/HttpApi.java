package io.orderflow.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Ids;
import io.orderflow.domain.Text;
import io.orderflow.server.metrics.MicrometerMetrics;
import io.orderflow.server.query.Answer;
import io.orderflow.server.query.OrderWaiters;
import io.orderflow.server.query.Peers;
import io.orderflow.server.query.QueryService;
import io.orderflow.server.query.Reads;
import io.orderflow.server.query.RestoreProgress;
import io.orderflow.server.query.Views;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The read API over HTTP (JSON): routes, parameters and status codes; what to read and from which instance is
 * {@link Reads}'. Every instance serves every key: a key owned by another instance is fetched from it, and the
 * answer says which instance served it. While no owner is known (rebalancing, restoring) the answer is 503 with
 * {@code Retry-After}, or with {@code allowStale=true} a standby's copy marked stale; an unknown key is 404; a
 * malformed id or parameter is 400 naming it. {@code GET /orders/{id}?waitFor=…&timeout=…} long-polls. Every
 * other error answer (unknown path, wrong method, what Jetty refuses) is {@link HttpErrors}'.
 */
public final class HttpApi implements AutoCloseable {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QueryService queries;
    private final Reads reads;
    private Javalin app;

    private HttpApi(QueryService queries, OrderWaiters waiters, Peers peers) {
        this.queries = queries;
        this.reads = new Reads(queries, waiters, peers);
    }

    /**
     * Starts the server; a port already taken fails with a message that says so.
     *
     * @param extraRoutes more routes on the same server (the intake role), or none
     */
    public static HttpApi start(String host, int port, HttpAuth auth, HttpTls tls, QueryService queries,
                                MicrometerMetrics metrics, OrderWaiters waiters, Consumer<JavalinConfig> extraRoutes) {
        Peers peers = new Peers(tls.scheme(), tls.clientContext());
        HttpApi api = new HttpApi(queries, waiters, peers);
        api.app = HttpServers.start(host, port, auth, tls, config -> {
            config.routes.get("/ready", api::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType(MicrometerMetrics.CONTENT_TYPE)
                    .result(ctx.queryParams("name[]").isEmpty() ? metrics.scrape()
                            : metrics.scrape(Set.copyOf(ctx.queryParams("name[]")))));
            config.routes.get("/instances", ctx -> json(ctx, 200, new Instances(queries.instances(),
                    auth.enabled() ? "tokens" : "none", auth.enabled() ? null : NO_AUTH_WARNING)));
            config.routes.get("/orders/{id}", api::order);
            config.routes.get("/inventory", api::inventoryRange);
            config.routes.get("/analytics/orders", api::analytics);
            config.routes.get("/customers/{customerId}/orders", ctx -> api.key(ctx, "customerId",
                    StoreNames.CUSTOMER_ORDERS_VIEW, "customer", (CustomerOrders v) -> Views.Customer.of(v)));
            config.routes.get("/inventory/{sku}", ctx -> api.key(ctx, "sku", StoreNames.INVENTORY_STOCK,
                    "sku", (Stock v) -> Views.StockLevel.of(v)));
            config.routes.get("/accounts/{customerId}", ctx -> api.key(ctx, "customerId",
                    StoreNames.PAYMENT_ACCOUNTS, "account", (Account v) -> Views.Balance.of(v)));
            extraRoutes.accept(config);
        });
        return api;
    }

    public int port() {
        return app.port();
    }

    /** {@code GET /ready}: {@code reason} only when not ready. */
    private record Ready(boolean ready, String streams,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, RestoreProgress.Store> restoring) {
    }

    /** {@code GET /instances}; {@code warning} only without authentication. */
    private record Instances(List<QueryService.InstanceInfo> instances, String auth,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String warning) {
    }

    /** Said at start and in {@code /instances} when {@code http.auth=none}. */
    public static final String NO_AUTH_WARNING = "http.auth=none: every endpoint is open to whoever reaches the port; "
            + "set http.auth=tokens before deploying";

    /**
     * Ready = Kafka Streams RUNNING and every queryable store answering on this instance; {@code restoring} shows
     * any restore from changelogs under way, per store, ready or not.
     */
    private void ready(Context ctx) {
        QueryService.Readiness readiness = queries.readiness();
        if (!readiness.ready()) {
            ctx.header("Retry-After", "1");
        }
        json(ctx, readiness.ready() ? 200 : 503, new Ready(readiness.ready(), readiness.streams(),
                readiness.reason(), readiness.restoring()));
    }

    /** A page of stock over every instance, in sku order ({@code scope=local}: this instance's part). */
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
        answer(ctx, reads.inventory(from, limit, request(ctx)), null);
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
        // The gathering instance passes its "now" on as at=, so every instance sums the same windows.
        Instant now = Instant.now();
        if ("local".equals(ctx.queryParam("scope")) && ctx.queryParam("at") != null) {
            try {
                now = Instant.ofEpochMilli(Long.parseLong(ctx.queryParam("at")));
            } catch (NumberFormatException e) {
                error(ctx, 400, "at must be epoch milliseconds, was '" + ctx.queryParam("at") + "'");
                return;
            }
        }
        answer(ctx, reads.analytics(window, now, request(ctx)), null);
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
            key(ctx, "id", StoreNames.ORDERS_VIEW, "order", (OrderView v) -> Views.Order.of(v));
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
        var waited = reads.awaitOrder(orderId, target, timeout, request(ctx));
        ctx.future(() -> waited.handle((result, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof OrderWaiters.TooManyWaiters) {
                ctx.header("Retry-After", "1");
                error(ctx, 503, cause.getMessage());
            } else if (cause != null) {
                error(ctx, 500, "waiting for order '" + orderId + "' failed: " + cause);
            } else if (result.answer() instanceof Answer.NotFound<Views.Order>) {
                error(ctx, result.timedOut() ? 404 : 503, "no order '" + orderId + "' after waiting " + timeout);
            } else if (result.timedOut() && result.answer() instanceof Answer.Found<Views.Order> found) {
                json(ctx, 408, served(found, true));
            } else {
                answer(ctx, result.answer(), null);
            }
            return null;
        }));
    }

    private <V, T> void key(Context ctx, String param, String store, String what, Function<V, T> view)
            throws InterruptedException {
        String key = ctx.pathParam(param);
        String problem = Ids.problem(param, key);
        if (problem != null) {
            error(ctx, 400, problem);
            return;
        }
        answer(ctx, reads.key(store, key, view, request(ctx)), "no " + what + " '" + key + "'");
    }

    /** Answers {@code answer}; {@code notFound} is the 404's message. */
    private static <T> void answer(Context ctx, Answer<T> answer, String notFound) {
        if (answer instanceof Answer.Found<T> found) {
            if (found.servedBy() != null) {
                ctx.header(Peers.SERVED_BY, found.servedBy());
            }
            json(ctx, 200, found.servedBy() == null ? found.value() : served(found, false));
        } else if (answer instanceof Answer.NotFound<T>) {
            error(ctx, 404, notFound);
        } else if (answer instanceof Answer.Elsewhere<T> elsewhere) {
            elsewhere.retryAfter().ifPresent(v -> ctx.header("Retry-After", v));
            elsewhere.servedBy().ifPresent(v -> ctx.header(Peers.SERVED_BY, v));
            ctx.status(elsewhere.status()).contentType("application/json").result(elsewhere.body());
        } else if (answer instanceof Answer.Unavailable<T> unavailable) {
            unavailable(ctx, unavailable.reason());
        }
    }

    private static <T> Served<T> served(Answer.Found<T> found, boolean waitTimedOut) {
        return new Served<>(found.value(), found.servedBy(), found.stale() ? true : null,
                found.stale() ? found.lag() : null, waitTimedOut ? true : null);
    }

    private static Reads.Request request(Context ctx) {
        return new Reads.Request(ctx.path() + reencodedQuery(ctx), allowStale(ctx),
                ctx.header(Peers.FORWARDED) != null, "local".equals(ctx.queryParam("scope")),
                ctx.header("Authorization"));
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

    /**
     * The query to pass on to another instance, rebuilt from the parsed parameters: the raw query string may hold
     * characters Jetty accepts but {@link java.net.URI} does not (e.g. {@code |}), which must not turn into a 500.
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
