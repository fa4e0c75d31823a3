package io.orderflow.server.http;

import io.orderflow.domain.Text;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * How both HTTP servers (an instance's and the stand-alone intake's) answer a request they cannot serve: always
 * {@code {"error":"…"}} as JSON, 4xx for bad input and never a stack trace. That covers what Jetty refuses before
 * any route runs (bad percent-encoding, control characters, a URI or headers over the size limit), a body over the
 * size limit (413), an unknown path (404), a known path with another method (405 with {@code Allow}), a query string
 * that is not valid percent-encoding or names a parameter twice (400), and a bug (500, details only in the log).
 */
final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpErrors() {
    }

    /** Installs the error answers on a server being configured; call before adding routes of one's own. */
    static void install(JavalinConfig config) {
        config.http.prefer405over404 = true;
        long maxBody = config.http.maxRequestSize;
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
        config.routes.before(HttpErrors::rejectMalformedQuery);
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 405) {
                String allowed = e.getDetails().get("availableMethods");
                if (allowed != null) {
                    ctx.header("Allow", allowed);
                }
                error(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path()
                        + (allowed == null ? "" : "; allowed: " + allowed));
            } else if (e.getStatus() == 404) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
            } else if (e.getStatus() == 413) {
                error(ctx, 413, "request body is too large: at most " + maxBody + " bytes");
            } else {
                error(ctx, e.getStatus(), e.getMessage());
            }
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            if (e instanceof org.eclipse.jetty.http.HttpException jetty && jetty.getCode() >= 400
                    && jetty.getCode() < 500) {
                // Jetty found the request malformed while a handler read it (e.g. a broken chunked body).
                error(ctx, jetty.getCode(), "malformed request: " + e.getMessage());
                return;
            }
            log.error("HTTP {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });
    }

    /**
     * Javalin silently drops a query parameter it cannot decode and keeps the first of repeated ones; either would
     * answer a different question than the one asked, so both are refused (a name ending in {@code []}, a list by
     * convention, may repeat; Javalin keeps every value of it).
     */
    private static void rejectMalformedQuery(Context ctx) {
        String query = ctx.queryString();
        if (query == null || query.isEmpty()) {
            return;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (eq >= 0) {
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                throw new BadRequestResponse("query parameter '" + Text.abbreviate(pair, 80) + "' is not valid "
                        + "percent-encoding (" + e.getMessage() + ")");
            }
            // A name ending in [] is a list by convention (/metrics?name[]=a&name[]=b), so it may repeat.
            if (!name.endsWith("[]") && seen.merge(name, 1, Integer::sum) == 2) {
                throw new BadRequestResponse("query parameter '" + Text.abbreviate(name, 80)
                        + "' is given more than once; give it once");
            }
        }
    }

    static void error(Context ctx, int status, String message) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(Map.of("error",
                    message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }


    /**
     * Jetty's own answers (before any route runs) as JSON instead of an HTML page: the message Jetty gives, e.g.
     * "Illegal character CNTL=0x1", with what a client should change.
     */
    static final class JsonErrorHandler extends ErrorHandler {
        @Override
        public boolean errorPageForMethod(String method) {
            return !"HEAD".equals(method);
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                         Throwable cause, Callback callback) {
            byte[] body;
            try {
                int headerLimit = request.getConnectionMetaData().getHttpConfiguration().getRequestHeaderSize();
                body = JSON.writeValueAsBytes(Map.of("error", describe(code, message, headerLimit)));
            } catch (JsonProcessingException e) {
                callback.failed(e);
                return;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        static String describe(int code, String message, int headerLimit) {
            String reason = HttpStatus.getMessage(code);
            String detail = message == null || message.equals(reason) ? "" : " (" + message + ")";
            if (code >= 500) {
                // Jetty's message may be an exception's text: the log has it, the client gets the status only.
                return code + " " + reason;
            }
            return switch (code) {
                case 400 -> detail.isEmpty() ? "malformed request: check the URI's percent-encoding (no %00 and no "
                        + "broken escapes such as %ZZ) and that it holds no control or non-ASCII characters"
                        : "malformed request" + detail;
                case 414 -> "request URI is too long: keep the request line and headers under "
                        + headerLimit + " bytes";
                case 431 -> "request headers are too large: keep the request line and headers under "
                        + headerLimit + " bytes";
                default -> code + " " + reason + detail;
            };
        }
    }
}
