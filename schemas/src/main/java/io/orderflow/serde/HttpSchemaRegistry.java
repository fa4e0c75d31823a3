package io.orderflow.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of a Confluent-compatible Schema Registry over its REST API: registers writer schemas
 * ({@code POST /subjects/{subject}/versions}) and fetches schemas by id
 * ({@code GET /schemas/ids/{id}}). Both directions are cached, so each schema costs one request
 * per process.
 *
 * <p>Answers that cannot change by asking again (404, 409, 422 and other 4xx) fail at once. A 5xx
 * answer, and a registry that cannot be reached (connection refused or reset, no answer in time),
 * are asked again a bounded number of times with a doubling pause, then fail with a
 * {@link SchemaRegistryException} that names the registry, the request and the attempts ("cannot
 * reach schema registry at …" when no URL answered). So a registry that goes away costs a caller at
 * most {@code maxAttempts × (connect or request timeout) + the pauses} per URL, never a hung
 * thread. With several URLs, each attempt goes to the first one that can be reached. Thread-safe.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {

    /** Default bound on establishing a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default bound on one request, from sending to the full answer. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Default number of attempts for a request the registry answers with 5xx or that cannot reach it. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default pause before the first retry; doubled before each further one. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> baseUrls;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final HttpClient client;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /** A client with the default timeouts and retries. */
    public HttpSchemaRegistry(List<String> baseUrls) {
        this(baseUrls, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF);
    }

    /**
     * A client with explicit bounds.
     *
     * @param baseUrls one or more registry URLs ({@code http://host:8081}), tried in order
     * @param maxAttempts attempts per request when the registry answers 5xx or cannot be reached (at least 1)
     * @param retryBackoff pause before the first retry, doubled before each further one
     */
    public HttpSchemaRegistry(List<String> baseUrls, Duration connectTimeout, Duration requestTimeout,
                              int maxAttempts, Duration retryBackoff) {
        if (baseUrls == null || baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one schema registry URL is required");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.baseUrls = baseUrls.stream().map(HttpSchemaRegistry::normalize).toList();
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.maxAttempts = maxAttempts;
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                // The registry speaks HTTP/1.1; skipping the h2c upgrade avoids a wasted round trip.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        String what = "registering " + schema.getFullName() + " under subject '" + subject + "'";
        JsonNode answer = send("/subjects/" + encode(subject) + "/versions", body.toString(), what);
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt() || !id.isIntegralNumber()) {
            throw new SchemaRegistryException("schema registry at " + baseUrls + " answered " + what
                    + " without an integer 'id': " + abbreviate(answer.toString()));
        }
        int schemaId = id.intValue();
        ids.put(schema, schemaId);
        // The id now names this schema; our own records need no fetch to be read back.
        schemasById.putIfAbsent(schemaId, schema);
        return schemaId;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String what = "fetching schema id " + id;
        JsonNode answer = send("/schemas/ids/" + id, null, what);
        JsonNode type = answer.get("schemaType");
        if (type != null && !"AVRO".equals(type.asText())) {
            throw new SchemaRegistryException("schema id " + id + " in the schema registry at " + baseUrls
                    + " is a " + type.asText() + " schema, not Avro");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("schema registry at " + baseUrls + " answered " + what
                    + " without a 'schema' string: " + abbreviate(answer.toString()));
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("schema id " + id + " from the schema registry at " + baseUrls
                    + " is not a valid Avro schema: " + e.getMessage(), e);
        }
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /**
     * Sends a request, each attempt to the first base URL that can be reached; retries a 5xx answer or no
     * reachable URL up to {@code maxAttempts} times; returns the JSON answer.
     */
    private JsonNode send(String path, String postBody, String what) {
        long backoffMillis = retryBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            SchemaRegistryException retryable;
            try {
                Answer answer = sendToFirstReachable(path, postBody, what);
                int status = answer.status();
                if (status >= 200 && status < 300) {
                    return parse(answer.body(), answer.url(), what);
                }
                String message = failure(status, answer.body(), answer.url(), what, attempt);
                if (status < 500) {
                    // 40403 is the registry's own "schema not found"; a bare 404 more likely means a wrong URL.
                    throw status == 404 && errorCode(answer.body()) == 40403
                            ? new UnknownSchemaIdException(message)
                            : new SchemaRegistryException(message);
                }
                retryable = new SchemaRegistryException(message);
            } catch (Unreachable e) {
                retryable = new SchemaRegistryException(e.getMessage() + ", after " + attempt + " attempt(s)",
                        e.getCause());
            }
            if (attempt >= maxAttempts) {
                throw retryable;
            }
            pause(backoffMillis, baseUrls.toString(), what);
            backoffMillis *= 2;
        }
    }

    /** One attempt: the answer of the first base URL that can be reached, whatever its status. */
    private Answer sendToFirstReachable(String path, String postBody, String what) throws Unreachable {
        List<String> reasons = new ArrayList<>();
        Throwable lastCause = null;
        for (String baseUrl : baseUrls) {
            try {
                return sendOnce(baseUrl, path, postBody, what);
            } catch (Unreachable e) {
                reasons.add(e.getMessage());
                lastCause = e.getCause();
            }
        }
        throw new Unreachable(String.join("; ", reasons), lastCause);
    }

    private Answer sendOnce(String baseUrl, String path, String postBody, String what) throws Unreachable {
        String url = baseUrl + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (postBody != null) {
            request.header("Content-Type", CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(postBody, StandardCharsets.UTF_8));
        } else {
            request.GET();
        }
        try {
            HttpResponse<String> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(url, response.statusCode(), response.body());
        } catch (HttpConnectTimeoutException e) {
            throw Unreachable.of(baseUrl, what, "no connection within " + connectTimeout.toMillis() + " ms", e);
        } catch (HttpTimeoutException e) {
            throw Unreachable.of(baseUrl, what, "no answer within " + requestTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw Unreachable.of(baseUrl, what, describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while " + what + " at " + url, e);
        }
    }

    private String failure(int status, String body, String url, String what, int attempts) {
        String meaning = switch (status) {
            case 404 -> "not found";
            case 409 -> "the schema is incompatible with an earlier version under this subject";
            case 422 -> "the registry considers the schema invalid";
            case 401, 403 -> "not authorised";
            default -> status >= 500 ? "registry error" : "request rejected";
        };
        String retries = status >= 500 ? " after " + attempts + " attempt(s)" : "";
        return "schema registry at " + url + " failed " + what + retries + ": " + meaning
                + " (HTTP " + status + errorDetail(body) + ")";
    }

    private static int errorCode(String body) {
        try {
            return JSON.readTree(body).path("error_code").asInt(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String errorDetail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.isObject() && (error.has("error_code") || error.has("message"))) {
                return ", error_code " + error.path("error_code").asText("?") + ": " + error.path("message").asText("");
            }
        } catch (IOException e) {
            // Not JSON (a proxy's HTML page, say): the raw body is still the best detail we have.
        }
        return ", body: " + abbreviate(body);
    }

    private static JsonNode parse(String body, String url, String what) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // Reported below with the body, which says more than Jackson's message.
        }
        throw new SchemaRegistryException("schema registry at " + url + " answered " + what
                + " with something other than a JSON object: " + abbreviate(body));
    }

    private static void pause(long millis, String url, String what) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while " + what + " at " + url + " (waiting to retry)", e);
        }
    }

    private static String describe(IOException e) {
        // The JDK client's ConnectException usually has no message; its cause says what happened.
        if (e instanceof ConnectException) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                    return "unknown host";
                }
            }
            return e.getMessage() != null ? "connection failed: " + e.getMessage() : "connection refused";
        }
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }

    private static String normalize(String url) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = URI.create(trimmed);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("not an http(s) URL with a host: '" + url + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid schema registry URL '" + url + "': " + e.getMessage(), e);
        }
        return trimmed;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    /** One registry answer, whatever its status. */
    private record Answer(String url, int status, String body) {
    }

    /** No base URL could be reached on this attempt; a later attempt may reach one. */
    private static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }

        static Unreachable of(String baseUrl, String what, String reason, Throwable cause) {
            return new Unreachable("cannot reach schema registry at " + baseUrl + ": " + reason + " (while " + what
                    + ")", cause);
        }
    }
}
