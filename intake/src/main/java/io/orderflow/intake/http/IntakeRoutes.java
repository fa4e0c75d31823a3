package io.orderflow.intake.http;

import io.orderflow.domain.Text;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.orderflow.intake.DatabaseUnavailableException;
import io.orderflow.intake.IdempotencyConflictException;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.NotFoundException;
import io.orderflow.intake.OrderAccepted;
import io.orderflow.intake.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The intake's HTTP endpoints, mounted on any Javalin server with {@link #register}:
 *
 * <ul>
 *   <li>{@code POST /orders} with header {@code Idempotency-Key} and body
 *       {@code {"customerId":"c1","currency":"EUR","lines":[{"sku":"s1","quantity":2,"unitPrice":1250}]}}:
 *       202 {@code {"orderId":"…","status":"PLACED"}} with {@code Location: /orders/<id>}; a repeat of the same request
 *       with the same key gets the first answer and {@code Idempotent-Replay: true}.</li>
 *   <li>{@code POST /orders/{id}/cancel}, {@code Idempotency-Key} optional: 202
 *       {@code {"orderId":"…","status":"CANCEL_REQUESTED"}}; 404 for an order the intake never accepted.</li>
 * </ul>
 *
 * A body declared as anything but JSON ({@code Content-Type} other than {@code application/json} or {@code …+json};
 * none at all is read as JSON) is 415. Bad input is 400 with {@code {"error": "…"}} naming the field; a key reused for
 * a different request is 422; an unreachable database is 503 with {@code Retry-After}. Errors are answered here, not
 * by server-wide exception handlers, so mounting these routes changes nothing else on the server.
 */
public final class IntakeRoutes {
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String IDEMPOTENT_REPLAY = "Idempotent-Replay";

    private static final Logger log = LoggerFactory.getLogger(IntakeRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETRY_AFTER_SECONDS = "1";

    private final IntakeService service;
    private static final TextMapGetter<Context> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
            return ctx.headerMap().keySet();
        }

        @Override
        public String get(Context ctx, String key) {
            return ctx == null ? null : ctx.header(key);
        }
    };

    private IntakeRoutes(IntakeService service) {
        this.service = service;
    }

    /** Adds {@code POST /orders} and {@code POST /orders/{id}/cancel} to the server being configured. */
    public static void register(JavalinConfig config, IntakeService service) {
        IntakeRoutes routes = new IntakeRoutes(service);
        config.routes.post("/orders", routes.timed("/orders", routes::placeOrder));
        config.routes.post("/orders/{id}/cancel", routes.timed("/orders/{id}/cancel", routes::cancelOrder));
    }

    /**
     * {@code handler}, its latency recorded per route and status ({@code http_server_requests_seconds}), run in the
     * caller's trace when the request carries a W3C {@code traceparent}.
     */
    private Handler timed(String route, Handler handler) {
        return ctx -> {
            long started = System.nanoTime();
            int status = 500;
            io.opentelemetry.context.Context caller = W3CTraceContextPropagator.getInstance()
                    .extract(io.opentelemetry.context.Context.root(), ctx, HEADERS);
            try (Scope ignored = caller.makeCurrent()) {
                handler.handle(ctx);
                status = ctx.statusCode();
            } catch (HttpResponseException e) {
                status = e.getStatus();
                throw e;
            } finally {
                service.metrics().request("POST", route, status, System.nanoTime() - started);
            }
        };
    }

    private void placeOrder(Context ctx) {
        String contentType = ctx.header("Content-Type");
        if (contentType != null && !contentType.isBlank() && !isJson(contentType)) {
            error(ctx, 415, "Content-Type must be application/json, was '" + Text.abbreviate(contentType, 80) + "'");
            return;
        }
        answer(ctx, () -> {
            String key = ctx.header(IDEMPOTENCY_KEY);
            if (key == null || key.isEmpty()) {
                throw new ValidationException(IDEMPOTENCY_KEY + " header is required");
            }
            return service.placeOrder(key, OrderRequestJson.parse(body(ctx)));
        });
    }

    /** The request body; one that breaks off or is badly chunked is the client's problem, a 400, not a 500. */
    private static byte[] body(Context ctx) {
        try {
            return ctx.bodyAsBytes();
        } catch (Exception e) {
            // Javalin (Kotlin) passes on Jetty's IOException unchecked, e.g. "Early EOF" for a broken chunk.
            if (e instanceof IOException) {
                throw new ValidationException("request body could not be read: " + e.getMessage());
            }
            throw e;
        }
    }

    private void cancelOrder(Context ctx) {
        answer(ctx, () -> {
            String key = ctx.header(IDEMPOTENCY_KEY);
            return service.cancelOrder(ctx.pathParam("id"), key == null || key.isEmpty() ? null : key);
        });
    }

    /** The answer to an accepted place or cancel request. */
    private record Accepted(String orderId, String status) {
    }

    private static void answer(Context ctx, Supplier<OrderAccepted> call) {
        try {
            OrderAccepted accepted = call.get();
            ctx.header("Location", "/orders/" + accepted.orderId());
            if (accepted.replayed()) {
                ctx.header(IDEMPOTENT_REPLAY, "true");
            }
            json(ctx, 202, new Accepted(accepted.orderId(), accepted.status()));
        } catch (ValidationException e) {
            error(ctx, 400, e.getMessage());
        } catch (NotFoundException e) {
            error(ctx, 404, e.getMessage());
        } catch (IdempotencyConflictException e) {
            error(ctx, 422, e.getMessage());
        } catch (DatabaseUnavailableException e) {
            log.warn("HTTP {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            error(ctx, 503, "the order database is unavailable; retry later with the same " + IDEMPOTENCY_KEY);
        } catch (HttpResponseException e) {
            // Javalin's own answers (e.g. 413 for a body over the size limit) stay Javalin's.
            throw e;
        } catch (RuntimeException e) {
            log.error("HTTP {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    /** {@code application/json} or a {@code +json} type, with any parameters ({@code ; charset=utf-8}). */
    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.startsWith("application/")
                && mediaType.endsWith("+json");
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
}
