package io.orderflow.intake.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.OutboxMode;
import io.orderflow.intake.IntakeDatabase;
import io.orderflow.intake.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** With PostgreSQL gone the intake answers 503 with Retry-After, never 500, and still answers bad input with 400. */
class IntakeRoutesDatabaseDownTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String ORDER =
            "{\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,\"unitPrice\":1}]}";

    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;
    private static IntakeService intake;
    private static Javalin server;

    @BeforeAll
    static void start() {
        db = DB.db();
        intake = DB.intake(OutboxMode.DELETE);
        server = DB.serve(intake);
    }


    private static HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswer503NotFailWhenDatabaseIsStopped() throws Exception {
        // Given: the intake has worked, so its pool holds connections that are about to break
        assertThat(post("/orders", "before", ORDER).statusCode()).isEqualTo(202);
        db.close();

        // When
        HttpResponse<String> place = post("/orders", "after", ORDER);
        HttpResponse<String> cancel = post("/orders/o1/cancel", null, "");
        HttpResponse<String> invalid = post("/orders", "after", "{\"customerId\":\"c1\"");

        // Then
        assertThat(place.statusCode()).isEqualTo(503);
        assertThat(place.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(place.body()).get("error").textValue())
                .isEqualTo("the order database is unavailable; retry later with the same Idempotency-Key");
        assertThat(cancel.statusCode()).isEqualTo(503);
        assertThat(invalid.statusCode()).as("bad input is still bad input").isEqualTo(400);
    }
}
