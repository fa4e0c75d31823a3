package io.orderflow.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.SagaTimeline;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Ids;
import io.orderflow.domain.Text;
import io.orderflow.server.metrics.MicrometerMetrics;
import io.orderflow.server.operator.OperatorActions;
import io.orderflow.server.query.Answer;
import io.orderflow.server.query.DeadLetterLog;
import io.orderflow.server.query.OrderWaiters;
import io.orderflow.server.query.PeerGuard;
import io.orderflow.server.query.Peers;
import io.orderflow.server.query.QueryService;
import io.orderflow.server.query.Reads;
import io.orderflow.server.query.RestoreProgress;
import io.orderflow.server.query.SagaFilter;
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
    private final DeadLetterLog deadLetters;
    private final OperatorActions actions;
    private Javalin app;

    private HttpApi(QueryService queries, OrderWaiters waiters, Peers peers, DeadLetterLog deadLetters,
                    OperatorActions actions) {
        this.queries = queries;
        this.deadLetters = deadLetters;
        this.actions = actions;
        this.reads = new Reads(queries, waiters, peers);
    }

    /**
     * Starts the server; a port already taken fails with a message that says so.
     *
     * @param extraRoutes more routes on the same server (the intake role), or none
     */
    public static HttpApi start(String host, int port, HttpAuth auth, HttpTls tls, QueryService queries,
                                MicrometerMetrics metrics, OrderWaiters waiters, DeadLetterLog deadLetters,
                                OperatorActions actions, Consumer<JavalinConfig> extraRoutes) {
        Peers peers = new Peers(tls.scheme(), tls.clientContext(), new PeerGuard(metrics.registry()));
        HttpApi api = new HttpApi(queries, waiters, peers, deadLetters, actions);
        api.app = HttpServers.start(host, port, auth, tls, config -> {
            config.routes.get("/ready", api::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType(MicrometerMetrics.CONTENT_TYPE)
                    .result(ctx.queryParams("name[]").isEmpty() ? metrics.scrape()
                            : metrics.scrape(Set.copyOf(ctx.queryParams("name[]")))));
            config.routes.get("/instances", ctx -> json(ctx, 200, new Instances(queries.instances(),
                    auth.enabled() ? "tokens" : "none", auth.enabled() ? null : NO_AUTH_WARNING)));
            config.routes.get("/orders/{id}", api::order);
            config.routes.get("/orders/{id}/timeline", ctx -> api.key(ctx, "id", StoreNames.SAGA_TIMELINE,
                    "timeline for order", (SagaTimeline v) -> Views.Timeline.of(ctx.pathParam("id"), v)));
            config.routes.get("/inventory", api::inventoryRange);
            config.routes.get("/sagas", api::sagas);
            config.routes.get("/sagas/{orderId}", ctx -> api.key(ctx, "orderId", StoreNames.ORDER_SAGA, "saga",
                    (SagaState v) -> Views.Saga.of(v)));
            config.routes.post("/sagas/{orderId}/compensate", ctx -> api.sagaAction(ctx, "compensate"));
            config.routes.post("/sagas/{orderId}/resend", ctx -> api.sagaAction(ctx, "resend"));
            config.routes.post("/dead-letters/{topic}/{partition}/{offset}/redrive", api::redrive);
            config.routes.get("/dead-letters", api::deadLetters);
            config.routes.get("/console", ctx -> console(ctx, "index.html"));
            config.routes.get("/console/{file}", ctx -> console(ctx, ctx.pathParam("file")));
            config.routes.get("/dead-letters/{topic}/{partition}/{offset}", api::deadLetter);
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
        // (an instance gathering a page of n asks the others for n + 1, to know whether there is more)
        Integer limit = intParam(ctx, "limit", 100, 1, "local".equals(ctx.queryParam("scope")) ? 1001 : 1000);
        if (limit == null) {
            return;
        }
        answer(ctx, reads.inventory(from, limit, request(ctx)), null);
    }

    /**
     * Sagas by status (default: still running) and age, of one customer or all, oldest first, over every instance
     * ({@code scope=local}: this instance's part; the gathering instance turns {@code olderThan} into
     * {@code placedBefore} with its own clock, so every instance filters alike).
     */
    private void sagas(Context ctx) throws InterruptedException {
        Set<OrderStatus> statuses = SagaFilter.RUNNING;
        long placedBefore = Long.MAX_VALUE;
        SagaFilter.Cursor after = null;
        String customerId = ctx.queryParam("customerId");
        try {
            if (ctx.queryParam("status") != null) {
                statuses = SagaFilter.parseStatuses(ctx.queryParam("status"));
            }
            if (ctx.queryParam("olderThan") != null) {
                Duration olderThan = OrderflowConfig.parseDuration(ctx.queryParam("olderThan"));
                if (olderThan.isNegative() || olderThan.compareTo(Duration.ofDays(3650)) > 0) {
                    throw new IllegalArgumentException("olderThan must be a duration from 0s, was " + olderThan);
                }
                placedBefore = Instant.now().minus(olderThan).toEpochMilli();
            } else if ("local".equals(ctx.queryParam("scope")) && ctx.queryParam("placedBefore") != null) {
                placedBefore = Long.parseLong(ctx.queryParam("placedBefore"));
            }
            if (ctx.queryParam("from") != null) {
                after = SagaFilter.Cursor.parse(ctx.queryParam("from"));
            }
        } catch (NumberFormatException e) {
            error(ctx, 400, "placedBefore must be epoch milliseconds, was '" + ctx.queryParam("placedBefore") + "'");
            return;
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            error(ctx, 400, message.startsWith("status") || message.startsWith("from") || message.startsWith("olderThan")
                    ? message : "olderThan must be a duration such as 10s, 5m or 2h, was '"
                    + Text.abbreviate(ctx.queryParam("olderThan"), 80) + "'");
            return;
        }
        if (customerId != null && Ids.problem("customerId", customerId) != null) {
            error(ctx, 400, Ids.problem("customerId", customerId));
            return;
        }
        // (an instance gathering a page of n asks the others for n + 1, to know whether there is more)
        Integer limit = intParam(ctx, "limit", 100, 1, "local".equals(ctx.queryParam("scope")) ? 1001 : 1000);
        if (limit == null) {
            return;
        }
        answer(ctx, reads.sagas(new SagaFilter(statuses, placedBefore, customerId, after, limit), request(ctx)), null);
    }

    /** The console's files, served from the jar: nothing else, and nothing fetched from elsewhere. */
    private static final Map<String, String> CONSOLE = Map.of("index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8", "console.css", "text/css; charset=utf-8");

    /** {@code GET /console}: the operator's web console (static; every datum it shows comes from this API). */
    private static void console(Context ctx, String file) throws java.io.IOException {
        String type = CONSOLE.get(file);
        if (type == null) {
            error(ctx, 404, "no console file '" + Text.abbreviate(file, 40) + "'");
            return;
        }
        try (var in = HttpApi.class.getResourceAsStream("/io/orderflow/console/" + file)) {
            if (in == null) {
                error(ctx, 500, "the console's " + file + " is missing from the jar");
                return;
            }
            ctx.status(200).contentType(type).header("Cache-Control", "no-cache")
                    .header("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'")
                    .result(in.readAllBytes());
        }
    }

    /** Dead letters oldest first, by source topic, reason and time ({@code from}: an instant or a page's next). */
    private void deadLetters(Context ctx) {
        String from = ctx.queryParam("from");
        Instant since = null;
        DeadLetterLog.Cursor after = null;
        if (from != null) {
            try {
                if (from.contains("T")) {
                    since = Instant.parse(from);
                } else {
                    after = DeadLetterLog.Cursor.parse(from);
                }
            } catch (java.time.format.DateTimeParseException e) {
                error(ctx, 400, "from must be an instant such as 2026-12-05T10:00:00Z or the 'next' of a previous "
                        + "page, was '" + Text.abbreviate(from, 80) + "'");
                return;
            } catch (IllegalArgumentException e) {
                error(ctx, 400, Text.abbreviate(e.getMessage(), 300));
                return;
            }
        }
        String topic = ctx.queryParam("topic");
        String reason = ctx.queryParam("reason");
        for (String[] param : new String[][] {{"topic", topic}, {"reason", reason}}) {
            if (param[1] != null && Ids.problem(param[0], param[1]) != null) {
                error(ctx, 400, Ids.problem(param[0], param[1]));
                return;
            }
        }
        Integer limit = intParam(ctx, "limit", 100, 1, 1000);
        if (limit == null) {
            return;
        }
        json(ctx, 200, deadLetters.list(topic, reason, since, after, limit));
    }

    /** The answer to an operator action: what was asked, by whom, and where its record was written. */
    record Action(String action, @JsonInclude(JsonInclude.Include.NON_NULL) String orderId,
                  @JsonInclude(JsonInclude.Include.NON_NULL) String deadLetter, String operator, String reason,
                  String eventId, String topic, int partition, long offset) {
    }

    /** The most an operator's reason may hold, in characters. */
    static final int MAX_REASON = 500;

    /**
     * {@code POST /sagas/{orderId}/compensate} or {@code /resend} with {@code {"reason": "…"}}: checks the saga
     * exists and can take the action (409 naming its status otherwise), then writes the action on
     * {@code order.events}; 202 once the broker has it. The saga applies it in order with the order's other events.
     */
    private void sagaAction(Context ctx, String action) throws InterruptedException {
        String orderId = ctx.pathParam("orderId");
        if (Ids.problem("orderId", orderId) != null) {
            error(ctx, 400, Ids.problem("orderId", orderId));
            return;
        }
        Map<String, String> body = actionBody(ctx, Set.of("reason"));
        if (body == null) {
            return;
        }
        String status = sagaStatus(ctx, orderId);
        if (status == null) {
            return;
        }
        boolean compensate = action.equals("compensate");
        if (compensate && !status.equals("AWAITING")) {
            error(ctx, 409, "order '" + orderId + "' is " + status + ": only a saga still AWAITING can be "
                    + "compensated" + (status.equals("CONFIRMED") ? " (a confirmed order is cancelled by its customer)"
                    : ""));
            return;
        }
        if (!compensate && status.equals("CANCELLED")) {
            error(ctx, 409, "order '" + orderId + "' is CANCELLED: its saga awaits nothing to re-send");
            return;
        }
        String operator = HttpAuth.principal(ctx);
        String reason = body.get("reason");
        OperatorActions.Written written;
        try {
            written = compensate ? actions.compensate(orderId, operator, reason)
                    : actions.resend(orderId, operator, reason);
        } catch (IllegalStateException e) {
            unavailable(ctx, e.getMessage());
            return;
        }
        json(ctx, 202, new Action(action, orderId, null, operator, reason, written.eventId(), written.topic(),
                written.partition(), written.offset()));
    }

    /** The saga's status from its owner, or null after answering 404, 503 or the owner's error. */
    private String sagaStatus(Context ctx, String orderId) throws InterruptedException {
        Reads.Request lookup = new Reads.Request("/sagas/" + orderId, false, ctx.header(Peers.FORWARDED) != null,
                false, ctx.header("Authorization"));
        Answer<Views.Saga> answer = reads.key(StoreNames.ORDER_SAGA, orderId, (SagaState v) -> Views.Saga.of(v),
                lookup);
        if (answer instanceof Answer.Found<Views.Saga> found) {
            return found.value().status();
        }
        if (answer instanceof Answer.Elsewhere<Views.Saga> elsewhere && elsewhere.status() == 200) {
            try {
                return JSON.readTree(elsewhere.body()).path("status").asText();
            } catch (JsonProcessingException e) {
                unavailable(ctx, "the saga's owner answered what this instance cannot read");
                return null;
            }
        }
        answer(ctx, answer, "no saga for order '" + orderId + "'");
        return null;
    }

    /**
     * {@code POST /dead-letters/{topic}/{partition}/{offset}/redrive} with {@code {"reason": "…"}} and optionally
     * {@code "value"}, a corrected value (text) to send instead of the letter's: re-produces the letter's record to
     * its source topic (an ingress topic) with its key and headers plus who, why and from which letter; 202 once
     * the broker has it. The ingress gate applies one redrive of a letter at most once.
     */
    private void redrive(Context ctx) {
        Coordinates at = coordinates(ctx);
        if (at == null) {
            return;
        }
        Map<String, String> body = actionBody(ctx, Set.of("reason", "value"));
        if (body == null) {
            return;
        }
        var found = deadLetters.record(at.partition(), at.offset());
        if (found.isEmpty()) {
            error(ctx, 404, "no dead letter at " + at + " to redrive");
            return;
        }
        var record = found.get();
        DeadLetterLog.Letter letter = DeadLetterLog.letter(record);
        if (letter.sourceTopic() == null || !OperatorActions.REDRIVABLE.contains(letter.sourceTopic())) {
            error(ctx, 409, "the dead letter at " + at + " came from " + letter.sourceTopic() + ": only records of "
                    + "the ingress topics " + new java.util.TreeSet<>(OperatorActions.REDRIVABLE) + " can be "
                    + "redriven; the others are Orderflow's own");
            return;
        }
        String corrected = body.get("value");
        if (corrected == null && letter.truncated() != null && letter.truncated().contains("value")) {
            error(ctx, 409, "the dead letter at " + at + " kept only the first " + record.value().length + " of "
                    + letter.originalSize() + " bytes of its value: send the full value as \"value\"");
            return;
        }
        List<org.apache.kafka.common.header.Header> original = new java.util.ArrayList<>();
        record.headers().forEach(header -> {
            if (!DeadLetterLog.isDeadLetterHeader(header.key())) {
                original.add(header);
            }
        });
        String operator = HttpAuth.principal(ctx);
        OperatorActions.Written written;
        try {
            written = actions.redrive(at.partition(), at.offset(), letter.sourceTopic(), record.key(),
                    corrected != null ? corrected.getBytes(StandardCharsets.UTF_8) : record.value(), original,
                    operator, body.get("reason"));
        } catch (IllegalStateException e) {
            unavailable(ctx, e.getMessage());
            return;
        }
        json(ctx, 202, new Action("redrive", null, at.toString(), operator, body.get("reason"), written.eventId(),
                written.topic(), written.partition(), written.offset()));
    }

    /** A dead letter's place: the dead-letter topic, a partition and an offset. */
    private record Coordinates(String topic, int partition, long offset) {
        @Override
        public String toString() {
            return topic + " partition " + partition + " offset " + offset;
        }
    }

    /** The path's dead-letter coordinates, or null after answering 404 (another topic) or 400. */
    private static Coordinates coordinates(Context ctx) {
        String topic = ctx.pathParam("topic");
        if (!topic.equals(io.orderflow.topology.Topics.DEAD_LETTERS.name())) {
            error(ctx, 404, "'" + Text.abbreviate(topic, 80) + "' is not a dead-letter topic; dead letters are in "
                    + io.orderflow.topology.Topics.DEAD_LETTERS.name());
            return null;
        }
        try {
            int partition = Integer.parseInt(ctx.pathParam("partition"));
            long offset = Long.parseLong(ctx.pathParam("offset"));
            if (partition >= 0 && offset >= 0) {
                return new Coordinates(topic, partition, offset);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        error(ctx, 400, "partition and offset must be non-negative integers, were '"
                + Text.abbreviate(ctx.pathParam("partition"), 40) + "' and '"
                + Text.abbreviate(ctx.pathParam("offset"), 40) + "'");
        return null;
    }

    /**
     * An action's JSON body: an object of strings with a {@code reason} (1 to {@value #MAX_REASON} characters, no
     * control characters but tab and line breaks) and at most the fields {@code allowed}; null after answering 400.
     */
    private static Map<String, String> actionBody(Context ctx, Set<String> allowed) {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = JSON.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            error(ctx, 400, "the body must be a JSON object such as {\"reason\": \"why\"}");
            return null;
        }
        if (body == null || !body.isObject()) {
            error(ctx, 400, "the body must be a JSON object such as {\"reason\": \"why\"}");
            return null;
        }
        Map<String, String> fields = new java.util.HashMap<>();
        var names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                error(ctx, 400, "unknown field '" + Text.abbreviate(name, 40) + "': expected "
                        + new java.util.TreeSet<>(allowed));
                return null;
            }
            if (!body.get(name).isTextual()) {
                error(ctx, 400, "'" + name + "' must be a string");
                return null;
            }
            fields.put(name, body.get(name).textValue());
        }
        String reason = fields.get("reason");
        String problem = reason == null || reason.isBlank() ? "'reason' is required: say why, for the audit record"
                : reason.codePointCount(0, reason.length()) > MAX_REASON ? "'reason' must be at most " + MAX_REASON
                + " characters" : reason.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t' && c != '\n'
                && c != '\r') ? "'reason' must not hold control characters but tab and line breaks" : null;
        if (problem != null) {
            error(ctx, 400, problem);
            return null;
        }
        return fields;
    }

    /** One dead letter whole, at its partition and offset of the dead-letter topic. */
    private void deadLetter(Context ctx) {
        Coordinates at = coordinates(ctx);
        if (at == null) {
            return;
        }
        deadLetters.show(at.partition(), at.offset()).ifPresentOrElse(letter -> json(ctx, 200, letter),
                () -> error(ctx, 404, "no dead letter at " + at));
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
            unavailable(ctx, unavailable.reason(), unavailable.retryAfterSeconds());
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
        unavailable(ctx, reason, 1);
    }

    private static void unavailable(Context ctx, String reason, long retryAfterSeconds) {
        ctx.header("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)));
        error(ctx, 503, "not available right now, retry: " + reason);
    }

    private static void error(Context ctx, int status, String message) {
        HttpErrors.error(ctx, status, message);
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /** Stops the server, then the operator actions' producer. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            actions.close();
        }
    }
}
