package io.orderflow.devtools.it;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.OutboxMode;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.http.IntakeServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} of the intake ({@code saga intake}'s server: {@link IntakeServer} with a Prometheus registry)
 * counts what its HTTP API did on a real PostgreSQL: outbox rows written and failed, the outbox table's size in both
 * outbox modes, idempotency checks and hits, and the latency of each route by status.
 */
class IntakeMetricsIntegrationTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An intake with its own server and registry on {@code postgres}; closes the two, not the database. */
    private record Intake(IntakeService service, IntakeServer server) implements AutoCloseable {
        static Intake start(LocalPostgres postgres, OutboxMode mode) {
            Properties props = new Properties();
            props.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
            props.put(IntakeConfig.JDBC_USER, postgres.user());
            props.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
            props.put(IntakeConfig.OUTBOX_MODE, mode.name().toLowerCase(java.util.Locale.ROOT));
            props.put(IntakeConfig.CONNECTION_TIMEOUT, "1s");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            IntakeService service = IntakeService.start(IntakeConfig.from(props), registry);
            return new Intake(service, IntakeServer.start("127.0.0.1", 0, HttpAuth.none(), HttpTls.none(), service,
                    registry));
        }

        HttpResponse<String> post(String path, String key, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                request.header("Idempotency-Key", key);
            }
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> metrics() throws IOException, InterruptedException {
            return CLIENT.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.port() + path);
        }

        @Override
        public void close() {
            server.close();
            service.close();
        }
    }

    private static String order(String customer, int quantity) {
        return "{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":"
                + quantity + ",\"unitPrice\":100}]}";
    }

    /** The value of one series in a Prometheus text scrape ({@code name} with its labels as the scrape writes them). */
    private static double value(String scrape, String series) {
        List<String> lines = Arrays.stream(scrape.split("\n")).filter(line -> line.startsWith(series + " ")).toList();
        assertThat(lines).as("series %s in the scrape", series).hasSize(1);
        return Double.parseDouble(lines.get(0).substring(series.length() + 1).trim());
    }

    private static String requests(String route, int status) {
        return "http_server_requests_seconds_count{method=\"POST\",route=\"" + route + "\",status=\"" + status + "\"}";
    }

    @Test
    void shouldCountOutboxEventsAndIdempotencyWhenOrdersArePlacedRepeatedAndCancelled() throws Exception {
        // Given an intake in the default mode, delete
        try (LocalPostgres postgres = LocalPostgres.builder().start();
             Intake intake = Intake.start(postgres, OutboxMode.DELETE)) {

            // When two orders are placed, the first repeated and its key reused for another order, then it is cancelled
            HttpResponse<String> first = intake.post("/orders", "k1", order("alice", 1));
            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(intake.post("/orders", "k1", order("alice", 1)).headers().firstValue("Idempotent-Replay"))
                    .hasValue("true");
            assertThat(intake.post("/orders", "k1", order("alice", 2)).statusCode()).isEqualTo(422);
            assertThat(intake.post("/orders", "k2", order("alice", 3)).statusCode()).isEqualTo(202);
            String orderId = first.headers().firstValue("Location").orElseThrow().substring("/orders/".length());
            assertThat(intake.post("/orders/" + orderId + "/cancel", null, "").statusCode()).isEqualTo(202);
            HttpResponse<String> metrics = intake.metrics();

            // Then three events were written (two orders, one cancellation) and none is left in the table
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            String scrape = metrics.body();
            assertThat(value(scrape, "outbox_events_total")).isEqualTo(3.0);
            assertThat(value(scrape, "outbox_failed_events_total")).isEqualTo(0.0);
            assertThat(value(scrape, "outbox_table_size")).isEqualTo(0.0);
            // ... four keys were checked, two of them already taken (the replay and the reuse)
            assertThat(value(scrape, "idempotency_checks_total")).isEqualTo(4.0);
            assertThat(value(scrape, "idempotency_hits_total")).isEqualTo(2.0);
            // ... and every request was timed by its route and status, with histogram buckets
            assertThat(value(scrape, requests("/orders", 202))).isEqualTo(3.0);
            assertThat(value(scrape, requests("/orders", 422))).isEqualTo(1.0);
            assertThat(value(scrape, requests("/orders/{id}/cancel", 202))).isEqualTo(1.0);
            assertThat(scrape).contains("http_server_requests_seconds_bucket{method=\"POST\",route=\"/orders\","
                    + "status=\"202\",le=\"+Inf\"} 3");
        }
    }

    @Test
    void shouldCountRowsLeftInTheOutboxWhenModeIsKeep() throws Exception {
        // Given an intake that keeps outbox rows
        try (LocalPostgres postgres = LocalPostgres.builder().start();
             Intake intake = Intake.start(postgres, OutboxMode.KEEP)) {

            // When two orders are placed
            assertThat(intake.post("/orders", "k1", order("bob", 1)).statusCode()).isEqualTo(202);
            assertThat(intake.post("/orders", "k2", order("bob", 2)).statusCode()).isEqualTo(202);

            // Then the table holds their two rows, until a purge removes them
            assertThat(value(intake.metrics().body(), "outbox_table_size")).isEqualTo(2.0);
            assertThat(intake.service().purgeOutbox(Duration.ZERO)).isEqualTo(2);
            assertThat(value(intake.metrics().body(), "outbox_table_size")).isEqualTo(0.0);
            assertThat(value(intake.metrics().body(), "outbox_events_total")).isEqualTo(2.0);
        }
    }

    @Test
    void shouldCountFailedOutboxEventsWhenTheDatabaseIsDown() throws Exception {
        // Given an intake that has written one order
        LocalPostgres postgres = LocalPostgres.builder().start();
        try (Intake intake = Intake.start(postgres, OutboxMode.DELETE)) {
            assertThat(intake.post("/orders", "k1", order("carol", 1)).statusCode()).isEqualTo(202);

            // When PostgreSQL stops and another order comes in
            postgres.close();
            HttpResponse<String> refused = intake.post("/orders", "k2", order("carol", 2));

            // Then the order's event is counted as failed, and the table's size is unknown
            assertThat(refused.statusCode()).isEqualTo(503);
            String scrape = intake.metrics().body();
            assertThat(value(scrape, "outbox_failed_events_total")).isEqualTo(1.0);
            assertThat(value(scrape, "outbox_events_total")).isEqualTo(1.0);
            assertThat(value(scrape, "outbox_table_size")).isNaN();
            assertThat(value(scrape, requests("/orders", 503))).isEqualTo(1.0);
        } finally {
            postgres.close();
        }
    }
}
