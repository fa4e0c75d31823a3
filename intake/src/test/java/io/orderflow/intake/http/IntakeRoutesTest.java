package io.orderflow.intake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.OutboxMode;
import io.orderflow.intake.IntakeDatabase;
import io.orderflow.intake.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The intake's HTTP contract on a real server (Javalin on an ephemeral port) and a real PostgreSQL. */
class IntakeRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService intake;
    private static Javalin server;

    @BeforeAll
    static void start() {
        db = DB.db();
        intake = DB.intake(OutboxMode.KEEP);
        server = DB.serve(intake);
    }


    static HttpResponse<String> post(String path, String key, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String order(String customer, int quantity) {
        return "{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":"
                + quantity + ",\"unitPrice\":1250}]}";
    }

    private static String error(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).get("error").textValue();
    }

    @Test
    void shouldAnswer202WithLocationWhenOrderIsValid() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();

        // When
        HttpResponse<String> response = post("/orders", "k1", order(customer, 2));

        // Then
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        String orderId = body.get("orderId").textValue();
        assertThat(body.get("status").textValue()).isEqualTo("PLACED");
        assertThat(body.size()).isEqualTo(2);
        assertThat(response.headers().firstValue("Location")).hasValue("/orders/" + orderId);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("Idempotent-Replay")).isEmpty();
        assertThat(db.count("SELECT count(*) FROM orders WHERE order_id = ? AND customer_id = ?", orderId, customer))
                .isEqualTo(1);
    }

    @Test
    void shouldReplayFirstAnswerWithHeaderWhenKeyRepeats() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        HttpResponse<String> first = post("/orders", "k1", order(customer, 2));

        // When
        HttpResponse<String> repeat = post("/orders", "k1", order(customer, 2));

        // Then
        assertThat(repeat.statusCode()).isEqualTo(first.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(repeat.body())).isEqualTo(JSON.readTree(first.body()));
        assertThat(repeat.headers().firstValue("Idempotent-Replay")).hasValue("true");
        assertThat(repeat.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isEqualTo(1);
    }

    @Test
    void shouldAnswer422WhenKeyIsReusedForDifferentOrder() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        post("/orders", "k1", order(customer, 2));

        // When
        HttpResponse<String> response = post("/orders", "k1", order(customer, 3));

        // Then
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(error(response)).contains("Idempotency-Key 'k1' was already used");
    }

    @Test
    void shouldAnswer400WhenIdempotencyKeyIsMissing() throws Exception {
        // When
        HttpResponse<String> response = post("/orders", null, order("c1", 2));

        // Then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).isEqualTo("Idempotency-Key header is required");
    }

    @Test
    void shouldAnswer400NamingTheProblemWhenJsonIsMalformed() throws Exception {
        // When
        HttpResponse<String> response = post("/orders", "k1", "{\"customerId\":\"c1\",");

        // Then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).startsWith("malformed JSON").contains("line 1");
    }

    @Test
    void shouldAnswer400NamingTheFieldWhenTypeIsWrong() throws Exception {
        // When
        HttpResponse<String> quoted = post("/orders", "k1",
                "{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":\"2\",\"unitPrice\":1}]}");
        HttpResponse<String> fractional = post("/orders", "k1",
                "{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":12.5}]}");
        HttpResponse<String> unknown = post("/orders", "k1", "{\"customerID\":\"c1\"}");

        // Then
        assertThat(quoted.statusCode()).isEqualTo(400);
        assertThat(error(quoted)).contains("lines[0].quantity");
        assertThat(fractional.statusCode()).isEqualTo(400);
        assertThat(error(fractional)).contains("lines[0].unitPrice");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(error(unknown)).contains("unknown field 'customerID'");
    }

    @Test
    void shouldAnswer415WhenBodyIsDeclaredAsSomethingOtherThanJson() throws Exception {
        // Given
        String customer = "c-" + UUID.randomUUID();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/orders"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Idempotency-Key", "k1")
                .POST(HttpRequest.BodyPublishers.ofString(order(customer, 1))).build();

        // When
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(error(response)).isEqualTo("Content-Type must be application/json, was "
                + "'application/x-www-form-urlencoded'");
        assertThat(db.count("SELECT count(*) FROM orders WHERE customer_id = ?", customer)).isZero();
    }

    @Test
    void shouldAnswer400NamingTheFieldWhenContentBreaksRule() throws Exception {
        // When
        HttpResponse<String> response = post("/orders", "k1", order("c-" + UUID.randomUUID(), 0));

        // Then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).isEqualTo("lines[0].quantity must be > 0, was 0");
    }

    @Test
    void shouldAnswer202WhenCancellingKnownOrder() throws Exception {
        // Given
        String orderId = JSON.readTree(post("/orders", "k1", order("c-" + UUID.randomUUID(), 1)).body())
                .get("orderId").textValue();

        // When
        HttpResponse<String> response = post("/orders/" + orderId + "/cancel", null, "");

        // Then
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree(
                "{\"orderId\":\"" + orderId + "\",\"status\":\"CANCEL_REQUESTED\"}"));
        assertThat(db.count("SELECT count(*) FROM outbox WHERE aggregateid = ? AND type = 'OrderCancelRequested'",
                orderId)).isEqualTo(1);
    }

    @Test
    void shouldAnswer404WhenCancellingUnknownOrder() throws Exception {
        // When
        HttpResponse<String> response = post("/orders/o-unknown/cancel", null, "");

        // Then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).isEqualTo("no order 'o-unknown'");
    }

    @Test
    void shouldAnswer400WhenOrderIdIsMalformed() throws Exception {
        // When
        HttpResponse<String> response = post("/orders/" + "o".repeat(65) + "/cancel", null, "");

        // Then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(error(response)).startsWith("orderId '");
    }
}
