package io.orderflow.devtools.it;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.http.IntakeServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hung order database, for real: PostgreSQL's postmaster and backends paused with SIGSTOP (connections open,
 * nothing answers). The intake answers every {@code POST /orders} with 503 and {@code Retry-After} within
 * {@code intake.request.timeout}, then at once from its open circuit breaker; after SIGCONT it takes orders again,
 * and a retry with the same Idempotency-Key never makes a second order.
 */
class PausedDatabaseIntegrationTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** The request timeout plus room for a loaded machine. */
    private static final Duration WITHIN = REQUEST_TIMEOUT.plusSeconds(3);
    private static final Duration FAST = Duration.ofMillis(1000);

    @Test
    void shouldAnswer503FastWhilePostgresHangsAndTakeEachOrderOnceWhenItResumes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try (LocalPostgres postgres = LocalPostgres.builder().start()) {
            // Given an intake over HTTP on a working database
            Properties props = new Properties();
            props.put(IntakeConfig.JDBC_URL, postgres.jdbcUrl());
            props.put(IntakeConfig.JDBC_USER, postgres.user());
            props.put(IntakeConfig.JDBC_PASSWORD, postgres.password());
            props.put(IntakeConfig.CONNECTION_TIMEOUT, "1s");
            props.put(IntakeConfig.REQUEST_TIMEOUT, REQUEST_TIMEOUT.toSeconds() + "s");
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (IntakeService intake = IntakeService.start(IntakeConfig.from(props), registry);
                 IntakeServer server = IntakeServer.start("127.0.0.1", 0, HttpAuth.none(), HttpTls.none(), intake,
                         registry)) {
                assertThat(post(server, "before", "paused-db-before").status()).isEqualTo(202);

                // When PostgreSQL hangs and ten orders arrive at once
                postgres.pause();
                List<Future<Posted>> during = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String key = "during-" + i;
                    String customer = "paused-db-" + i;
                    during.add(pool.submit(() -> post(server, key, customer)));
                }

                // Then each is answered 503 with Retry-After within the request timeout — no thread waits longer
                for (Future<Posted> future : during) {
                    Posted posted = future.get();
                    assertThat(posted.status()).as(posted.body()).isEqualTo(503);
                    assertThat(posted.retryAfter()).isNotEmpty();
                    assertThat(posted.took()).isLessThan(WITHIN);
                }
                // and the breaker is open: the next ones are refused at once, without queueing for a writer
                for (int i = 0; i < 5; i++) {
                    Posted refused = post(server, "refused-" + i, "paused-db-refused");
                    assertThat(refused.status()).isEqualTo(503);
                    assertThat(refused.retryAfter()).isNotEmpty();
                    assertThat(refused.took()).isLessThan(FAST);
                }
                // (a scrape waits at most 2 s for the outbox count while the database hangs)
                Duration scrape = timed(() -> metric(server, "resilience4j_circuitbreaker_state", "open"), 1.0);
                assertThat(scrape).isLessThan(WITHIN);
                assertThat(metric(server, "resilience4j_circuitbreaker_not_permitted_calls_total", null))
                        .isGreaterThanOrEqualTo(5.0);

                // When PostgreSQL resumes
                postgres.resume();

                // Then every order is taken on a retry with its key, the breaker closes, and no key made two orders
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> post(server, "during-0", "paused-db-0").status() == 202);
                Map<String, String> orderIds = new HashMap<>();
                for (int i = 0; i < 10; i++) {
                    String key = "during-" + i;
                    String customer = "paused-db-" + i;
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                            .until(() -> post(server, key, customer).status() == 202);
                    orderIds.put(customer, post(server, key, customer).body());
                }
                assertThat(metric(server, "resilience4j_circuitbreaker_state", "closed")).isEqualTo(1.0);
                try (Connection connection = postgres.connect();
                     PreparedStatement count = connection.prepareStatement(
                             "SELECT count(*) FROM orders WHERE customer_id = ?")) {
                    for (String customer : orderIds.keySet()) {
                        count.setString(1, customer);
                        try (ResultSet result = count.executeQuery()) {
                            assertThat(result.next()).isTrue();
                            assertThat(result.getLong(1)).as("orders of %s", customer).isEqualTo(1);
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** How long {@code read} took; fails unless it gave {@code expected}. */
    private static Duration timed(java.util.concurrent.Callable<Double> read, double expected) throws Exception {
        long start = System.nanoTime();
        assertThat(read.call()).isEqualTo(expected);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private record Posted(int status, String body, String retryAfter, Duration took) {
    }

    private static Posted post(IntakeServer server, String key, String customer) throws Exception {
        String body = "{\"customerId\":\"" + customer + "\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"pear\","
                + "\"quantity\":1,\"unitPrice\":95}]}";
        long start = System.nanoTime();
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/orders"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Posted(response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After").orElse(""), Duration.ofNanos(System.nanoTime() - start));
    }

    /** {@code name{name="database"[,state="<state>"]}} on the intake's /metrics, or NaN. */
    private static double metric(IntakeServer server, String name, String state) throws Exception {
        String body = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(body);
        while (matcher.find()) {
            String labels = matcher.group(1);
            if (labels.contains("name=\"database\"") && (state == null || labels.contains("state=\"" + state + "\""))) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return Double.NaN;
    }
}
