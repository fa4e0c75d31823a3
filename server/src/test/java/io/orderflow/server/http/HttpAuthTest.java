package io.orderflow.server.http;

import io.javalin.Javalin;
import io.orderflow.server.MovingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bearer tokens with roles on a real HTTP server (Javalin on Jetty, loopback, an ephemeral port), with routes shaped
 * like the instance's and the intake's: who gets 401, 403, 429 or through, and what the answers say.
 */
class HttpAuthTest {
    private static final String READER = "r3ad3r-t0ken-0123456789abcdefXYZ";
    private static final String WRITER = "wr1ter-t0ken-0123456789abcdefXYZ";
    private static final String TOKENS = """
            # name  roles             token
            shop    write             %s
            dash    read,operator     %s
            """.formatted(WRITER, READER);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    private int start(HttpAuth auth) {
        app = HttpServers.start("127.0.0.1", 0, auth, HttpTls.none(), config -> {
            config.routes.get("/ready", ctx -> ctx.result("ready"));
            config.routes.get("/metrics", ctx -> ctx.result("metrics"));
            config.routes.get("/orders/{id}", ctx -> ctx.result("order " + ctx.pathParam("id")));
            config.routes.post("/orders", ctx -> ctx.status(202).result("placed"));
        });
        return app.port();
    }

    private static HttpResponse<String> send(int port, String method, String path, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path, String token)
            throws IOException, InterruptedException {
        return send(port, "GET", path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    private static HttpAuth tokens(Clock clock) {
        return HttpAuth.tokens(TOKENS, "test tokens", false, clock);
    }

    @Test
    void shouldServeEachRoleItsEndpointsAndKeepProbesOpenWhenTokensAreRequired() throws Exception {
        // Given
        int port = start(tokens(Clock.systemUTC()));

        // When / Then: probes and metrics need nothing
        assertThat(get(port, "/health", null).statusCode()).isEqualTo(200);
        assertThat(get(port, "/ready", null).statusCode()).isEqualTo(200);
        assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(200);
        // a read token reads, a write token writes
        assertThat(get(port, "/orders/o1", READER).body()).isEqualTo("order o1");
        assertThat(send(port, "POST", "/orders", Map.of("Authorization", "Bearer " + WRITER)).statusCode())
                .isEqualTo(202);
        // the scheme is case-insensitive
        assertThat(send(port, "GET", "/orders/o1", Map.of("Authorization", "bearer " + READER)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void shouldAnswer401WithAChallengeWhenTheTokenIsMissingWrongOrMalformed() throws Exception {
        // Given
        int port = start(tokens(Clock.systemUTC()));

        // When
        HttpResponse<String> missing = get(port, "/orders/o1", null);
        HttpResponse<String> wrong = get(port, "/orders/o1", READER.replace('r', 'x'));
        HttpResponse<String> basic = send(port, "GET", "/orders/o1", Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        HttpResponse<String> post = send(port, "POST", "/orders", Map.of());

        // Then
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"orderflow\"");
        assertThat(missing.body()).isEqualTo("{\"error\":\"authentication required: send 'Authorization: Bearer "
                + "<token>'\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"orderflow\", error=\"invalid_token\"");
        assertThat(wrong.body()).isEqualTo("{\"error\":\"the token is not valid\"}");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.body()).contains("expected 'Bearer <token>'");
        assertThat(post.statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAnswer403NamingTheRoleWhenTheTokenLacksIt() throws Exception {
        // Given
        int port = start(tokens(Clock.systemUTC()));

        // When
        HttpResponse<String> readerPosts = send(port, "POST", "/orders", Map.of("Authorization", "Bearer " + READER));
        HttpResponse<String> writerReads = get(port, "/orders/o1", WRITER);

        // Then
        assertThat(readerPosts.statusCode()).isEqualTo(403);
        assertThat(readerPosts.body()).isEqualTo("{\"error\":\"token 'dash' lacks the role 'write' that POST /orders "
                + "needs\"}");
        assertThat(writerReads.statusCode()).isEqualTo(403);
        assertThat(writerReads.body()).contains("token 'shop' lacks the role 'read'");
    }

    @Test
    void shouldAnswer429UntilTheWindowEndsWhenAClientFailsTooOften() throws Exception {
        // Given a clock the test moves
        MovingClock clock = new MovingClock(Instant.parse("2026-12-05T12:00:00Z").toEpochMilli());
        int port = start(tokens(clock));

        // When a client guesses tokens
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < HttpAuth.MAX_FAILURES + 5; i++) {
            statuses.merge(get(port, "/orders/o1", "guess-" + i + "-0123456789abcdefghijkl").statusCode(), 1,
                    Integer::sum);
        }
        HttpResponse<String> blocked = get(port, "/orders/o1", READER);
        HttpResponse<String> probe = get(port, "/health", null);
        clock.advance(Duration.ofSeconds(HttpAuth.WINDOW_SECONDS));
        HttpResponse<String> after = get(port, "/orders/o1", READER);

        // Then
        assertThat(statuses).containsEntry(401, HttpAuth.MAX_FAILURES).containsEntry(429, 5);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).hasValue(Integer.toString(HttpAuth.WINDOW_SECONDS));
        assertThat(blocked.body()).contains("too many failed authentications");
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(after.statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(ints = {9_000, 70_000})
    void shouldRefuseWith4xxAndKeepServingWhenTheAuthorizationHeaderIsOversized(int length) throws Exception {
        // Given
        int port = start(tokens(Clock.systemUTC()));

        // When
        HttpResponse<String> huge = get(port, "/orders/o1", "A".repeat(length));

        // Then
        assertThat(huge.statusCode()).isBetween(400, 499);
        assertThat(huge.body()).doesNotContain("AAAA");
        assertThat(get(port, "/orders/o1", READER).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldProtectMetricsWhenConfigured() throws Exception {
        // Given
        int port = start(HttpAuth.tokens(TOKENS, "test tokens", true, Clock.systemUTC()));

        // When / Then
        assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/metrics", READER).statusCode()).isEqualTo(200);
        assertThat(get(port, "/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldServeEveryoneWhenAuthenticationIsNone() throws Exception {
        // Given
        int port = start(HttpAuth.none());

        // When / Then
        assertThat(get(port, "/orders/o1", null).statusCode()).isEqualTo(200);
        assertThat(send(port, "POST", "/orders", Map.of()).statusCode()).isEqualTo(202);
    }

    @Test
    void shouldRefuseToStartNamingTheChoiceWhenHttpAuthIsNotSet() {
        // Given
        Map<String, Object> settings = new HashMap<>();
        settings.put(HttpAuth.MODE, null);

        // When / Then
        assertThatThrownBy(() -> HttpAuth.from(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.auth is not set: set http.auth=tokens with http.auth.tokens.file")
                .hasMessageContaining("http.auth=none");
    }

    @Test
    void shouldNameTheLineAndNeverTheTokenWhenTheTokenFileIsWrong(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        // Given
        Path file = Files.writeString(dir.resolve("tokens"), "ok read " + READER + "\nweak write s3cret-sh0rt\n");
        Map<String, Object> settings = new HashMap<>();
        settings.put(HttpAuth.MODE, "tokens");
        settings.put(HttpAuth.TOKENS_FILE, file.toString());
        settings.put(HttpAuth.PROTECT_METRICS, false);

        // When / Then
        assertThatThrownBy(() -> HttpAuth.from(settings))
                .hasMessageContaining("line 2: the token of 'weak' must be at least 24 characters")
                .message().doesNotContain("s3cret-sh0rt").doesNotContain(READER);
        assertThatThrownBy(() -> HttpAuth.tokens("a admin " + READER, "t", false, Clock.systemUTC()))
                .hasMessageContaining("unknown role 'admin'").message().doesNotContain(READER);
        assertThatThrownBy(() -> HttpAuth.tokens("a read " + READER + "\na write " + WRITER, "t", false,
                Clock.systemUTC())).hasMessageContaining("the name 'a' is given twice");
        settings.put(HttpAuth.TOKENS_FILE, dir.resolve("missing").toString());
        assertThatThrownBy(() -> HttpAuth.from(settings)).hasMessageEndingWith("does not exist");
    }
}
