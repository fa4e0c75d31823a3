package io.orderflow.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.orderflow.app.metrics.MicrometerMetrics;
import io.orderflow.app.query.Lookup;
import io.orderflow.app.query.QueryService;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Ids;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The read API over HTTP (JSON). Every instance serves every key: a key owned by another instance is fetched from
 * it, and the answer says which instance served it. While no owner is known (rebalancing, restoring) the answer is
 * 503 with {@code Retry-After}; an unknown key is 404; a malformed id is 400 naming the parameter.
 */
public final class HttpApi implements AutoCloseable {
    static final String FORWARDED = "X-Orderflow-Forwarded";
    static final String SERVED_BY = "X-Orderflow-Served-By";
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final QueryService queries;
    private final KafkaStreams streams;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Javalin app;

    private HttpApi(QueryService queries, KafkaStreams streams, Javalin app) {
        this.queries = queries;
        this.streams = streams;
        this.app = app;
    }

    /** Starts the server; a port already taken fails with a message that says so. */
    public static HttpApi start(String host, int port, QueryService queries, KafkaStreams streams,
                                MicrometerMetrics metrics) {
        HttpApi[] holder = new HttpApi[1];
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.routes.get("/health", ctx -> holder[0].health(ctx));
            config.routes.get("/ready", ctx -> holder[0].ready(ctx));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.get("/orders/{id}", ctx -> holder[0].lookup(ctx, "id", StoreNames.ORDERS_VIEW, "order",
                    (OrderView v) -> Representations.order(v)));
            config.routes.get("/inventory/{sku}", ctx -> holder[0].lookup(ctx, "sku", StoreNames.INVENTORY_STOCK,
                    "sku", (Stock v) -> Representations.stock(v)));
            config.routes.get("/accounts/{customerId}", ctx -> holder[0].lookup(ctx, "customerId",
                    StoreNames.PAYMENT_ACCOUNTS, "account", (Account v) -> Representations.account(v)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("HTTP {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.result() == null) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
        });
        HttpApi api = new HttpApi(queries, streams, app);
        holder[0] = api;
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            if (causedBy(e, BindException.class)) {
                throw new IllegalStateException("HTTP port " + port + " is already in use; choose another with "
                        + "--http-port (or http.port)", e);
            }
            throw e;
        }
        return api;
    }

    public int port() {
        return app.port();
    }

    private void health(Context ctx) {
        json(ctx, 200, Map.of("status", "UP"));
    }

    /** Ready = Kafka Streams RUNNING and every queryable store answering on this instance. */
    private void ready(Context ctx) {
        KafkaStreams.State state = streams.state();
        String problem = state == KafkaStreams.State.RUNNING ? queries.unqueryableStore() : "streams " + state;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", problem == null);
        body.put("streams", state.name());
        if (problem != null) {
            body.put("reason", problem);
            ctx.header("Retry-After", "1");
        }
        json(ctx, problem == null ? 200 : 503, body);
    }

    private <V> void lookup(Context ctx, String param, String store, String what, Function<V, Map<String, Object>> view)
            throws IOException, InterruptedException {
        String key = ctx.pathParam(param);
        String problem = Ids.problem(param, key);
        if (problem != null) {
            error(ctx, 400, problem);
            return;
        }
        Lookup<V> answer = queries.get(store, key);
        if (answer instanceof Lookup.Found<V> found) {
            Map<String, Object> body = new LinkedHashMap<>(view.apply(found.value()));
            body.put("servedBy", found.servedBy());
            ctx.header(SERVED_BY, found.servedBy());
            json(ctx, 200, body);
        } else if (answer instanceof Lookup.NotFound<V>) {
            error(ctx, 404, "no " + what + " '" + key + "'");
        } else if (answer instanceof Lookup.Unavailable<V> unavailable) {
            unavailable(ctx, unavailable.reason());
        } else if (answer instanceof Lookup.Remote<V> remote) {
            forward(ctx, remote.owner());
        }
    }

    private void forward(Context ctx, HostInfo owner) throws IOException, InterruptedException {
        if (ctx.header(FORWARDED) != null) {
            // The owner we were told about says it is not the owner: metadata is moving. Never bounce further.
            unavailable(ctx, "ownership is moving between instances");
            return;
        }
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + ctx.path() + query);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).header(FORWARDED, "1")
                .GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            unavailable(ctx, "owner " + owner.host() + ":" + owner.port() + " did not answer: " + e.getMessage());
            return;
        }
        response.headers().firstValue("Retry-After").ifPresent(v -> ctx.header("Retry-After", v));
        response.headers().firstValue(SERVED_BY).ifPresent(v -> ctx.header(SERVED_BY, v));
        ctx.status(response.statusCode()).contentType("application/json").result(response.body());
    }

    private static void unavailable(Context ctx, String reason) {
        ctx.header("Retry-After", "1");
        error(ctx, 503, "not available right now, retry: " + reason);
    }

    private static void error(Context ctx, int status, String message) {
        json(ctx, status, Map.of("error", message));
    }

    private static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        app.stop();
    }
}
