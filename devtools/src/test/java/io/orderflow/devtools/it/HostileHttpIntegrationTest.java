package io.orderflow.devtools.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.IntakeServer;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.contracts.OrderLine;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input against the real HTTP servers: an instance (read API with the intake routes mounted, as in the demo)
 * on a real KRaft broker, and the stand-alone intake server, both on a real PostgreSQL. Every malformed path,
 * parameter, header and body gets a 4xx with a JSON {@code {"error":…}} naming the problem — never a 5xx, a hang, an
 * HTML page or a stack trace — and the servers keep answering valid requests afterwards. One fixture for the class.
 */
class HostileHttpIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @TempDir
    static Path state;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID_ORDER =
            "{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":1,\"unitPrice\":100}]}";

    private static LocalPostgres postgres;
    private static IntakeService intake;
    private static OrderflowInstance instance;
    private static IntakeServer intakeServer;
    private static KafkaProducer<String, byte[]> producer;

    /** The two servers that mount the intake routes. */
    enum Server { INSTANCE, INTAKE }

    @BeforeAll
    static void start() {
        postgres = LocalPostgres.builder().start();
        Properties intakeProps = new Properties();
        intakeProps.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
        intakeProps.put(IntakeConfig.JDBC_USER, postgres.user());
        intakeProps.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
        intake = IntakeService.start(IntakeConfig.from(intakeProps));
        Properties props = BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 2);
        TopicSetup.ensure(props, Duration.ofSeconds(30));
        instance = OrderflowInstance.start(props, BrokerFixture.STARTUP,
                config -> IntakeRoutes.register(config, intake));
        intakeServer = IntakeServer.start("127.0.0.1", 0, HttpAuth.none(), intake);
        producer = BrokerFixture.producer(KAFKA.bootstrapServers());
        BrokerFixture.adjust(producer, "apple", 1_000);
        BrokerFixture.deposit(producer, "alice", 1_000_000);
        producer.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> RawHttp.send(instance.httpPort(), "GET", "/accounts/alice",
                Map.of(), new byte[0]).status() == 200);
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (intakeServer != null) {
            intakeServer.close();
        }
        if (instance != null) {
            instance.close();
        }
        if (intake != null) {
            intake.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** One hostile request and the answer it must get: a status and a fragment of the error message. */
    record Hostile(String name, String method, String target, Map<String, String> headers, byte[] body, int status,
                   String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Hostile get(String name, String target, int status, String message) {
        return new Hostile(name, "GET", target, Map.of(), new byte[0], status, message);
    }

    private static Hostile request(String name, String method, String target, Map<String, String> headers,
                                   String body, int status, String message) {
        return new Hostile(name, method, target, headers, body.getBytes(StandardCharsets.UTF_8), status, message);
    }

    /** {@code POST /orders} as JSON with a key, so that only the body is wrong. */
    private static Hostile order(String name, String body, int status, String message) {
        return request(name, "POST", "/orders", Map.of("Content-Type", "application/json", "Idempotency-Key",
                "hostile-key"), body, status, message);
    }

    private static String orderWithLines(String lines) {
        return "{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[" + lines + "]}";
    }

    static List<Hostile> queryCases() {
        return List.of(
                // ids in paths
                get("id longer than 64", "/orders/" + "o".repeat(65), 400, "must be 1-64 characters"),
                get("encoded space in id", "/orders/bad%20id", 400, "id 'bad id' must be"),
                get("illegal character in sku", "/inventory/a$b", 400, "sku 'a$b' must be"),
                get("%00 in id", "/orders/a%00b", 400, "malformed request"),
                get("%ZZ in id", "/orders/%ZZ", 400, "percent-encoding"),
                get("lone % in id", "/accounts/%", 400, "percent-encoding"),
                get("%2F in id", "/orders/a%2Fb", 400, "id 'a/b' must be"),
                get("encoded unicode id", "/accounts/%C3%A9t%C3%A9", 400, "customerId 'été' must be"),
                get("raw unicode in path", "/accounts/été", 400, "malformed request"),
                get("raw space in path", "/accounts/a b", 400, "malformed request"),
                get("empty id segment", "/customers//orders", 404, "no such endpoint"),
                get("'..' as id", "/orders/..", 404, "no order '..'"),
                get("encoded traversal as sku", "/inventory/..%2F..%2Fetc", 400, "sku '../../etc' must be"),
                get("'..' segment", "/orders/../health", 404, "no such endpoint"),
                // unknown paths, wrong methods
                get("unknown path", "/nothing/here", 404, "no such endpoint: GET /nothing/here"),
                request("DELETE an order", "DELETE", "/orders/o1", Map.of(), "", 405, "allowed: GET"),
                request("PUT stock", "PUT", "/inventory/apple", Map.of(), "{}", 405, "method PUT is not allowed"),
                request("POST health", "POST", "/health", Map.of(), "", 405, "allowed: GET"),
                request("made-up method", "BREW", "/health", Map.of(), "", 405, "method BREW is not allowed"),
                // query parameters
                get("waitFor=BOGUS", "/orders/o1?waitFor=BOGUS", 400, "waitFor must be"),
                get("timeout=-1s", "/orders/o1?waitFor=TERMINAL&timeout=-1s", 400, "timeout must be between"),
                get("timeout=99999h", "/orders/o1?waitFor=TERMINAL&timeout=99999h", 400, "timeout must be between"),
                get("timeout=abc", "/orders/o1?waitFor=TERMINAL&timeout=abc", 400, "timeout must be a duration"),
                get("timeout overflowing a Duration", "/orders/o1?waitFor=TERMINAL&timeout=99999999999999999d", 400,
                        "timeout must be a duration"),
                get("limit=-1", "/inventory?limit=-1", 400, "limit must be an integer from 1 to 1000"),
                get("limit=0", "/inventory?limit=0", 400, "limit must be an integer from 1 to 1000"),
                get("huge limit", "/inventory?limit=99999999999999999999", 400, "limit must be an integer"),
                get("limit not a number", "/inventory?limit=lots", 400, "limit must be an integer"),
                get("from with a space", "/inventory?from=bad%20sku", 400, "from 'bad sku' must be"),
                get("from=%00", "/inventory?from=%00", 400, "from '"),
                get("empty from", "/inventory?from=", 400, "from '' must be"),
                get("window=junk", "/analytics/orders?window=junk", 400, "window must be a duration"),
                get("window below a minute", "/analytics/orders?window=10s", 400, "window must be between"),
                get("window overflowing a Duration", "/analytics/orders?window=99999999999999999d", 400,
                        "window must be a duration"),
                get("a gathering instance's at=junk", "/analytics/orders?scope=local&at=junk", 400,
                        "at must be epoch milliseconds"),
                get("allowStale=maybe", "/accounts/alice?allowStale=maybe", 400, "allowStale must be true or false"),
                get("repeated limit", "/inventory?limit=1&limit=2", 400, "'limit' is given more than once"),
                get("repeated waitFor", "/orders/o1?waitFor=TERMINAL&waitFor=BOGUS", 400,
                        "'waitFor' is given more than once"),
                get("%ZZ in a parameter", "/inventory?limit=%ZZ", 400, "not valid percent-encoding"),
                get("lone % in a parameter", "/health?x=%", 400, "not valid percent-encoding"),
                // lengths and headers
                get("URL of 9000 characters", "/health?x=" + "x".repeat(9_000), 414, "request URI is too long"),
                new Hostile("header of 20000 characters", "GET", "/health", Map.of("X-Big", "v".repeat(20_000)),
                        new byte[0], 431, "request headers are too large"),
                new Hostile("control character in a header", "GET", "/health", Map.of("X-Odd", "a\u0001b"),
                        new byte[0], 400, "Illegal character"),
                new Hostile("bad Content-Length", "GET", "/health", Map.of("Content-Length", "abc"), new byte[0],
                        400, "Content-Length"));
    }

    static List<Hostile> intakeRequests() {
        String fiftyOne = IntStream.range(0, 51).mapToObj(i -> "{\"sku\":\"s" + i + "\",\"quantity\":1,\"unitPrice\":1}")
                .collect(Collectors.joining(","));
        return List.of(
                // methods
                request("GET /orders", "GET", "/orders", Map.of(), "", 405, "allowed: POST"),
                request("PUT /orders", "PUT", "/orders", Map.of("Content-Type", "application/json"), VALID_ORDER, 405,
                        "allowed: POST"),
                request("GET a cancel", "GET", "/orders/o1/cancel", Map.of(), "", 405, "allowed: POST"),
                // Content-Type
                request("text/plain body", "POST", "/orders", Map.of("Content-Type", "text/plain", "Idempotency-Key",
                        "k"), VALID_ORDER, 415, "Content-Type must be application/json, was 'text/plain'"),
                request("form body", "POST", "/orders", Map.of("Content-Type", "application/x-www-form-urlencoded",
                        "Idempotency-Key", "k"), "customerId=alice", 415, "Content-Type must be application/json"),
                request("junk Content-Type", "POST", "/orders", Map.of("Content-Type", "garbage;;;==",
                        "Idempotency-Key", "k"), VALID_ORDER, 415, "Content-Type must be application/json"),
                request("no Content-Type, not JSON", "POST", "/orders", Map.of("Idempotency-Key", "k"), "a=b", 400,
                        "malformed JSON"),
                // bodies
                order("empty body", "", 400, "request body is empty"),
                order("not JSON", "not json", 400, "malformed JSON"),
                order("JSON array", "[]", 400, "must be a JSON object, got an array"),
                order("JSON null", "null", 400, "must be a JSON object, got null"),
                order("JSON of the wrong shape", "{\"customerID\":\"alice\"}", 400, "unknown field 'customerID'"),
                order("lines not an array", "{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":{}}", 400,
                        "field 'lines' must be an array"),
                order("100k '['", "[".repeat(100_000), 400, "must be a JSON object, got an array"),
                order("nested 100k deep", "{\"lines\":" + "[".repeat(100_000), 400, "nesting depth"),
                order("10 MiB body", "{\"customerId\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}", 413,
                        "request body is too large"),
                order("trailing garbage", VALID_ORDER + "garbage", 400, "malformed JSON"),
                order("repeated field", "{\"customerId\":\"a\",\"customerId\":\"b\"}", 400, "Duplicate field"),
                order("nulls", "{\"customerId\":null,\"currency\":null,\"lines\":null}", 400,
                        "missing required field 'customerId'"),
                order("null line", orderWithLines("null"), 400, "lines[0]"),
                order("quantity 1e30", orderWithLines("{\"sku\":\"apple\",\"quantity\":1e30,\"unitPrice\":1}"), 400,
                        "lines[0].quantity"),
                order("quantity beyond int", orderWithLines("{\"sku\":\"apple\",\"quantity\":2147483648,"
                        + "\"unitPrice\":1}"), 400, "lines[0].quantity"),
                order("unitPrice beyond long", orderWithLines("{\"sku\":\"apple\",\"quantity\":1,"
                        + "\"unitPrice\":9223372036854775808}"), 400, "lines[0].unitPrice"),
                order("float money", orderWithLines("{\"sku\":\"apple\",\"quantity\":1,\"unitPrice\":12.50}"), 400,
                        "lines[0].unitPrice"),
                order("quoted number", orderWithLines("{\"sku\":\"apple\",\"quantity\":\"1\",\"unitPrice\":1}"), 400,
                        "lines[0].quantity"),
                order("negative quantity", orderWithLines("{\"sku\":\"apple\",\"quantity\":-1,\"unitPrice\":1}"),
                        400, "lines[0].quantity must be > 0"),
                order("total overflowing a long", orderWithLines("{\"sku\":\"a\",\"quantity\":2,"
                        + "\"unitPrice\":9223372036854775807}"), 400, "overflows"),
                order("51 lines", orderWithLines(fiftyOne), 400, "1-50 lines, this one has 51"),
                order("no lines", orderWithLines(""), 400, "1-50 lines, this one has 0"),
                order("unknown currency", "{\"customerId\":\"alice\",\"currency\":\"ZZZ\",\"lines\":[{\"sku\":\"a\","
                        + "\"quantity\":1,\"unitPrice\":1}]}", 400, "currency 'ZZZ' is not an ISO 4217 code"),
                order("illegal customerId", "{\"customerId\":\"a b\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"a\","
                        + "\"quantity\":1,\"unitPrice\":1}]}", 400, "customerId 'a b' must be"),
                request("broken chunked body", "POST", "/orders", Map.of("Content-Type", "application/json",
                        "Idempotency-Key", "k", "Transfer-Encoding", "chunked"), "ZZZ\r\nabc\r\n0\r\n\r\n", 400,
                        "request body could not be read"),
                // Idempotency-Key
                request("no Idempotency-Key", "POST", "/orders", Map.of("Content-Type", "application/json"),
                        VALID_ORDER, 400, "Idempotency-Key header is required"),
                request("Idempotency-Key of 300", "POST", "/orders", Map.of("Content-Type", "application/json",
                        "Idempotency-Key", "k".repeat(300)), VALID_ORDER, 400, "at most 128 characters, was 300"),
                request("non-ASCII Idempotency-Key", "POST", "/orders", Map.of("Content-Type", "application/json",
                        "Idempotency-Key", "clé"), VALID_ORDER, 400, "printable ASCII"),
                request("control character in Idempotency-Key", "POST", "/orders", Map.of("Content-Type",
                        "application/json", "Idempotency-Key", "k\u007f"), VALID_ORDER, 400, "Illegal character"),
                // cancel
                request("cancel an unknown order", "POST", "/orders/unknown-order/cancel", Map.of(), "", 404,
                        "no order 'unknown-order'"),
                request("cancel an id longer than 64", "POST", "/orders/" + "o".repeat(65) + "/cancel", Map.of(), "",
                        400, "orderId '"),
                request("cancel %ZZ", "POST", "/orders/%ZZ/cancel", Map.of(), "", 400, "percent-encoding"),
                request("cancel with an empty id", "POST", "/orders//cancel", Map.of(), "", 404, "no such endpoint"),
                request("cancel with a key of 300", "POST", "/orders/unknown-order/cancel", Map.of("Idempotency-Key",
                        "k".repeat(300)), "", 400, "at most 128 characters"));
    }

    static Stream<Arguments> intakeCases() {
        return Arrays.stream(Server.values()).flatMap(server -> intakeRequests().stream()
                .map(hostile -> Arguments.of(server, hostile)));
    }

    private static int port(Server server) {
        return server == Server.INSTANCE ? instance.httpPort() : intakeServer.port();
    }

    private static RawHttp.Response send(int port, Hostile hostile) {
        return RawHttp.send(port, hostile.method(), hostile.target(), hostile.headers(), hostile.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queryCases")
    void shouldAnswer4xxWithJsonErrorWhenQueryRequestIsHostile(Hostile hostile) throws Exception {
        // When
        RawHttp.Response response = send(instance.httpPort(), hostile);

        // Then
        assertCleanError(response, hostile);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("intakeCases")
    void shouldAnswer4xxWithJsonErrorWhenIntakeRequestIsHostile(Server server, Hostile hostile) throws Exception {
        // When
        RawHttp.Response response = send(port(server), hostile);

        // Then
        assertCleanError(response, hostile);
    }

    @Test
    void shouldNameAllowedMethodsInAllowHeaderWhenMethodIsWrong() {
        // When
        RawHttp.Response response = RawHttp.send(instance.httpPort(), "DELETE", "/accounts/alice", Map.of(),
                new byte[0]);

        // Then
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).isEqualTo("GET");
    }

    @Test
    void shouldKeepServingValidRequestsWhenHostileRequestsComeConcurrently() throws Exception {
        // Given every hostile request, sent to both servers from 8 clients at once
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            for (Hostile hostile : queryCases()) {
                answers.add(CompletableFuture.supplyAsync(() -> send(instance.httpPort(), hostile).status(), clients));
            }
            for (Server server : Server.values()) {
                for (Hostile hostile : intakeRequests()) {
                    answers.add(CompletableFuture.supplyAsync(() -> send(port(server), hostile).status(), clients));
                }
            }
            List<Integer> statuses = answers.stream().map(CompletableFuture::join).toList();
            assertThat(statuses).allSatisfy(status -> assertThat(status).isBetween(400, 499));
        } finally {
            clients.shutdownNow();
        }

        // When valid requests follow
        String customer = "c-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> json = new LinkedHashMap<>();
        json.put("Content-Type", "application/json");
        json.put("Idempotency-Key", "after-barrage");
        String body = VALID_ORDER.replace("alice", customer);
        RawHttp.Response placedOnInstance = RawHttp.send(instance.httpPort(), "POST", "/orders", json,
                body.getBytes(StandardCharsets.UTF_8));
        json.put("Idempotency-Key", "after-barrage-2");
        RawHttp.Response placedOnIntake = RawHttp.send(intakeServer.port(), "POST", "/orders", json,
                body.getBytes(StandardCharsets.UTF_8));
        String orderId = "after-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 1, 100L));
        producer.flush();
        RawHttp.Response read = RawHttp.send(instance.httpPort(), "GET",
                "/orders/" + orderId + "?waitFor=TERMINAL&timeout=10s", Map.of(), new byte[0]);

        // Then both servers are healthy, both orders were accepted and written, and the saga's order is readable
        for (Server server : Server.values()) {
            RawHttp.Response health = RawHttp.send(port(server), "GET", "/health", Map.of(), new byte[0]);
            assertThat(health.status()).as("health of %s", server).isEqualTo(200);
        }
        assertThat(placedOnInstance.status()).as(placedOnInstance.body()).isEqualTo(202);
        assertThat(placedOnIntake.status()).as(placedOnIntake.body()).isEqualTo(202);
        assertThat(ordersOf(customer)).isEqualTo(2);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        JsonNode view = JSON.readTree(read.body());
        assertThat(view.get("orderId").textValue()).isEqualTo(orderId);
        assertThat(view.get("status").textValue()).isEqualTo("CONFIRMED");
        assertThat(instance.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    private static void assertCleanError(RawHttp.Response response, Hostile hostile) throws Exception {
        assertThat(response.status()).as("status of %s, body %s", hostile, response.body())
                .isEqualTo(hostile.status());
        assertThat(response.header("Content-Type")).as("Content-Type of %s", hostile).startsWith("application/json");
        assertThat(response.body()).as("body of %s", hostile)
                .doesNotContain("Exception", ".java:", "<html");
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error).as("error of %s in %s", hostile, response.body()).isNotNull();
        assertThat(error.textValue()).as("error of %s", hostile).contains(hostile.message());
    }

    private static long ordersOf(String customer) throws Exception {
        try (Connection connection = postgres.connect();
             PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM orders WHERE customer_id = ?")) {
            query.setString(1, customer);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
