package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.orderflow.contracts.FundsDeposited;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the client against a real HTTP server that answers the way Confluent's Schema Registry does. */
class HttpSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = FundsDeposited.getClassSchema();
    private static final String SUBJECT = "payment.deposits-value";
    private static final int MAX_ATTEMPTS = 3;
    private static final Response DROP_CONNECTION = new Response(-1, "");

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final CountDownLatch releaseStalledRequests = new CountDownLatch(1);
    private volatile Function<Request, Response> behaviour = this::actLikeARegistry;
    private ExecutorService serverThreads;
    private HttpServer server;
    private String url;

    @BeforeEach
    void startServer() throws IOException {
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        releaseStalledRequests.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void shouldPostSchemaToSubjectAndReturnIdWhenRegistryAccepts() throws IOException {
        // Given
        SchemaRegistry registry = client(url);

        // When
        int id = registry.register(SUBJECT, SCHEMA);

        // Then
        assertThat(id).isEqualTo(1);
        assertThat(requests).hasSize(1);
        Request request = requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/subjects/payment.deposits-value/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("schema");
        assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(SCHEMA);
    }

    @Test
    void shouldMakeNoRequestWhenRegisteringTheSameSchemaAgainOrFetchingItsId() {
        // Given
        SchemaRegistry registry = client(url);
        int id = registry.register(SUBJECT, SCHEMA);

        // When
        int again = registry.register(SUBJECT, SCHEMA);
        Schema fetched = registry.schemaById(id);

        // Then
        assertThat(again).isEqualTo(id);
        assertThat(fetched).isEqualTo(SCHEMA);
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldFetchSchemaOnceWhenAskedForTheSameIdRepeatedly() {
        // Given a schema registered by another process
        schemasById.put(5, SCHEMA.toString());
        SchemaRegistry registry = client(url);

        // When
        Schema first = registry.schemaById(5);
        Schema second = registry.schemaById(5);

        // Then
        assertThat(first).isEqualTo(SCHEMA).isSameAs(second);
        assertThat(requests).extracting(Request::method, Request::rawPath).containsExactly(
                tuple("GET", "/schemas/ids/5"));
    }

    @Test
    void shouldEncodeSubjectWhenItHasReservedCharacters() {
        // Given
        SchemaRegistry registry = client(url);

        // When
        registry.register("odd subject/x", SCHEMA);

        // Then
        assertThat(requests.get(0).rawPath()).isEqualTo("/subjects/odd%20subject%2Fx/versions");
    }

    @Test
    void shouldFailWithoutRetryNamingIdAndErrorCodeWhenSchemaIsNotFound() {
        // Given
        SchemaRegistry registry = client(url);

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(99))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(url + "/schemas/ids/99")
                .hasMessageContaining("schema id 99")
                .hasMessageContaining("not found")
                .hasMessageContaining("HTTP 404, error_code 40403: Schema not found")
                .isInstanceOf(UnknownSchemaIdException.class);
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldNotTakeBare404ForUnknownSchemaWhenUrlPointsElsewhere() {
        // Given a URL with a wrong path, where every request is a plain 404
        behaviour = request -> new Response(404, "Not Found");
        SchemaRegistry registry = client(url + "/wrong");

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(99))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(UnknownSchemaIdException.class)
                .hasMessageContaining(url + "/wrong/schemas/ids/99")
                .hasMessageContaining("HTTP 404, body: Not Found");
    }

    @Test
    void shouldFailWithoutRetryNamingSubjectWhenSchemaIsIncompatible() {
        // Given
        behaviour = request -> new Response(409, error(409,
                "Schema being registered is incompatible with an earlier schema for subject \"" + SUBJECT + "\""));
        SchemaRegistry registry = client(url);

        // When / Then
        assertThatThrownBy(() -> registry.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("subject '" + SUBJECT + "'")
                .hasMessageContaining("io.orderflow.contracts.FundsDeposited")
                .hasMessageContaining("incompatible with an earlier version")
                .hasMessageContaining("HTTP 409, error_code 409");
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldFailWithoutRetryWhenRegistryConsidersSchemaInvalid() {
        // Given
        behaviour = request -> new Response(422, error(42201, "Invalid schema"));
        SchemaRegistry registry = client(url);

        // When / Then
        assertThatThrownBy(() -> registry.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("invalid")
                .hasMessageContaining("HTTP 422, error_code 42201: Invalid schema");
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldRetryAndSucceedWhenRegistryFailsOnceWithServerError() {
        // Given
        AtomicInteger calls = new AtomicInteger();
        behaviour = request -> calls.getAndIncrement() == 0
                ? new Response(500, error(50001, "Error in the backend data store"))
                : actLikeARegistry(request);
        SchemaRegistry registry = client(url);

        // When
        int id = registry.register(SUBJECT, SCHEMA);

        // Then
        assertThat(id).isEqualTo(1);
        assertThat(requests).hasSize(2);
    }

    @Test
    void shouldFailAfterBoundedRetriesWhenRegistryKeepsFailingWithServerError() {
        // Given
        behaviour = request -> new Response(503, error(50003, "Error while forwarding the request to the leader"));
        SchemaRegistry registry = client(url);

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(3))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("after " + MAX_ATTEMPTS + " attempt(s)")
                .hasMessageContaining("HTTP 503, error_code 50003: Error while forwarding the request to the leader");
        assertThat(requests).hasSize(MAX_ATTEMPTS);
    }

    @Test
    void shouldShowBodyWhenErrorIsNotJson() {
        // Given
        behaviour = request -> new Response(401, "<html>login required</html>");
        SchemaRegistry registry = client(url);

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(3))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 401, body: <html>login required</html>");
    }

    @Test
    void shouldFailSayingRegistryCannotBeReachedWhenConnectionIsRefused() throws IOException {
        // Given a port nobody listens on
        String closedUrl = "http://127.0.0.1:" + closedPort();
        SchemaRegistry registry = client(closedUrl);

        // When / Then
        assertThatThrownBy(() -> registry.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("cannot reach schema registry at " + closedUrl + ": ")
                .hasMessageContaining("subject '" + SUBJECT + "'")
                .hasMessageEndingWith("after " + MAX_ATTEMPTS + " attempt(s)");
    }

    @Test
    void shouldRetryAndSucceedWhenConnectionIsDroppedOnce() {
        // Given a registry that drops the first connection without answering (a restart, a proxy hiccup)
        AtomicInteger calls = new AtomicInteger();
        behaviour = request -> calls.getAndIncrement() == 0 ? DROP_CONNECTION : actLikeARegistry(request);
        SchemaRegistry registry = client(url);

        // When
        int id = registry.register(SUBJECT, SCHEMA);

        // Then
        assertThat(id).isEqualTo(1);
        assertThat(requests).hasSize(2);
    }

    @Test
    void shouldFailAfterBoundedRetriesNamingRegistryWhenConnectionIsDroppedEveryTime() {
        // Given a registry that goes away mid-request on every attempt
        behaviour = request -> DROP_CONNECTION;
        SchemaRegistry registry = client(url);

        // When / Then (a POST: the JDK client itself re-sends an idempotent GET once on a dropped connection)
        assertThatThrownBy(() -> registry.register(SUBJECT, SCHEMA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("cannot reach schema registry at " + url + ": ")
                .hasMessageContaining("while registering io.orderflow.contracts.FundsDeposited under subject '"
                        + SUBJECT + "'")
                .hasMessageEndingWith("after " + MAX_ATTEMPTS + " attempt(s)");
        assertThat(requests).hasSize(MAX_ATTEMPTS);
    }

    @Test
    void shouldFailSayingRegistryCannotBeReachedWhenItDoesNotAnswerInTime() {
        // Given
        behaviour = request -> {
            awaitRelease();
            return actLikeARegistry(request);
        };
        SchemaRegistry registry = new HttpSchemaRegistry(List.of(url), Duration.ofSeconds(2), Duration.ofMillis(300),
                MAX_ATTEMPTS, Duration.ZERO);

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(3))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("cannot reach schema registry at " + url + ": no answer within 300 ms");
    }

    @Test
    void shouldUseNextUrlWhenFirstCannotBeReached() throws IOException {
        // Given
        SchemaRegistry registry = SchemaRegistry.fromUrl("http://127.0.0.1:" + closedPort() + "," + url + "/");

        // When
        int id = registry.register(SUBJECT, SCHEMA);

        // Then
        assertThat(id).isEqualTo(1);
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldReadRecordsWrittenByAnotherProcessWhenSerdesShareTheRegistryServer() {
        // Given two processes, each with its own client and caches
        AvroSerde<FundsDeposited> writer = new AvroSerde<>(FundsDeposited.class, client(url));
        AvroSerde<FundsDeposited> reader = new AvroSerde<>(FundsDeposited.class, client(url));

        // When
        byte[] bytes = writer.serializer().serialize("payment.deposits", Samples.fundsDeposited());
        FundsDeposited read = reader.deserializer().deserialize("payment.deposits", bytes);

        // Then
        assertThat(read).isEqualTo(Samples.fundsDeposited());
        assertThat(WireFormat.schemaId(bytes)).isEqualTo(1);
        assertThat(requests).extracting(Request::method).containsExactly("POST", "GET");
    }

    private static HttpSchemaRegistry client(String url) {
        return new HttpSchemaRegistry(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(5), MAX_ATTEMPTS,
                Duration.ZERO);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The documented behaviour of the two endpoints the client uses. */
    private Response actLikeARegistry(Request request) {
        String path = request.rawPath();
        if (request.method().equals("POST") && path.startsWith("/subjects/") && path.endsWith("/versions")) {
            try {
                String schema = JSON.readTree(request.body()).get("schema").asText();
                int id = schemasById.entrySet().stream().filter(e -> e.getValue().equals(schema))
                        .map(Map.Entry::getKey).findFirst().orElseGet(nextId::getAndIncrement);
                schemasById.put(id, schema);
                return new Response(200, "{\"id\":" + id + "}");
            } catch (IOException e) {
                return new Response(422, error(42201, "Invalid schema"));
            }
        }
        if (request.method().equals("GET") && path.startsWith("/schemas/ids/")) {
            String schema = schemasById.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
            if (schema == null) {
                return new Response(404, error(40403, "Schema not found"));
            }
            ObjectNode body = JSON.createObjectNode().put("schema", schema);
            return new Response(200, body.toString());
        }
        return new Response(404, error(404, "HTTP 404 Not Found"));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Response response = behaviour.apply(request);
            if (response == DROP_CONNECTION) {
                // Closing the exchange before any response headers resets the connection under the client.
                return;
            }
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(response.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private void awaitRelease() {
        try {
            releaseStalledRequests.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String error(int code, String message) {
        return JSON.createObjectNode().put("error_code", code).put("message", message).toString();
    }

    private record Request(String method, String rawPath, String contentType, String body) {
    }

    private record Response(int status, String body) {
    }
}
