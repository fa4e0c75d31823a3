package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The read API on one instance over real HTTP: customers, instances, long-polls and their bounds, bad input. */
class QueryApiIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @TempDir
    static Path state;

    private static OrderflowInstance instance;
    private static KafkaProducer<String, byte[]> producer;
    private static String base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void startInstance() throws Exception {
        instance = BrokerFixture.start(BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 2));
        producer = BrokerFixture.producer(KAFKA.bootstrapServers());
        BrokerFixture.adjust(producer, "apple", 1_000);
        BrokerFixture.deposit(producer, "alice", 1_000_000);
        producer.flush();
        base = "http://127.0.0.1:" + instance.httpPort();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/accounts/alice").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void shouldWakeTheLongPollWithTheTerminalViewWhenTheOrderIsPlacedWhileItWaits() throws Exception {
        // Given a reader waiting for an order that does not exist yet
        String orderId = "lp-" + UUID.randomUUID().toString().substring(0, 8);
        CompletableFuture<HttpResponse<String>> waiting = CLIENT.sendAsync(
                request("/orders/" + orderId + "?waitFor=TERMINAL&timeout=20s"), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> instance.waiting() >= 1);

        // When the order is placed and confirmed
        BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 1, 100L));
        producer.flush();
        HttpResponse<String> response = waiting.get();

        // Then the waiter was woken by the change (200 with the terminal view, not 408 at its timeout) and is gone;
        // how fast is the bench's business, not a test's
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"CONFIRMED\"").doesNotContain("waitTimedOut");
        assertThat(instance.waiting()).isZero();
    }

    @Test
    void shouldLeaveNoWaiterBehindWhen500LongPollsTimeOut() {
        // Given 500 readers waiting for orders that never come
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            polls.add(CLIENT.sendAsync(request("/orders/never-" + i + "?waitFor=CONFIRMED&timeout=1s"),
                    HttpResponse.BodyHandlers.ofString()));
        }

        // When they time out
        List<Integer> statuses = polls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

        // Then each got an answer and nothing is left waiting
        assertThat(statuses).hasSize(500).containsOnly(404);
        await().atMost(Duration.ofSeconds(5)).until(() -> instance.waiting() == 0);
    }

    @Test
    void shouldAnswer408WithCurrentViewWhenTheStatusIsNotReachedInTime() throws Exception {
        // Given a confirmed order
        String orderId = "t-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 1, 100L));
        producer.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/orders/" + orderId).body().contains("CONFIRMED"));

        // When a reader waits for CANCELLED
        HttpResponse<String> response = get("/orders/" + orderId + "?waitFor=CANCELLED&timeout=300ms");

        // Then
        assertThat(response.statusCode()).isEqualTo(408);
        assertThat(response.body()).contains("\"status\":\"CONFIRMED\"", "\"waitTimedOut\":true");
    }

    @Test
    void shouldSummariseCustomerAndListInstances() throws Exception {
        String orderId = "c-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 1, 100L));
        producer.flush();
        assertThat(get("/orders/" + orderId + "?waitFor=TERMINAL&timeout=20s").statusCode()).isEqualTo(200);

        // The customer summary is re-keyed through a repartition topic: it follows shortly after
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/customers/alice/orders").body().contains(orderId)
                && !get("/customers/alice/orders").body().contains("AWAITING"));
        HttpResponse<String> customer = get("/customers/alice/orders");
        assertThat(customer.statusCode()).isEqualTo(200);
        assertThat(customer.body()).contains("\"customerId\":\"alice\"", orderId, "\"countsByStatus\"",
                "\"CONFIRMED\"", "\"spent\"");
        HttpResponse<String> instances = get("/instances");
        assertThat(instances.body()).contains("127.0.0.1:" + instance.httpPort(), "order.events-0");
    }

    @Test
    void shouldPageThroughInventoryInSkuOrderAndCountOrdersPerStatus() throws Exception {
        // Given a few skus
        for (String sku : List.of("rng-a", "rng-b", "rng-c", "rng-d", "rng-e")) {
            BrokerFixture.adjust(producer, sku, 5);
        }
        producer.flush();
        for (String sku : List.of("rng-a", "rng-b", "rng-c", "rng-d", "rng-e")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> get("/inventory/" + sku).statusCode() == 200);
        }

        // When
        HttpResponse<String> first = get("/inventory?from=rng-a&limit=2");
        HttpResponse<String> second = get("/inventory?from=rng-c&limit=2");

        // Then
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"sku\":\"rng-a\"", "\"sku\":\"rng-b\"", "\"next\":\"rng-c\"")
                .doesNotContain("rng-c\",\"onHand");
        assertThat(second.body()).contains("\"sku\":\"rng-c\"", "\"sku\":\"rng-d\"", "\"next\":\"rng-e\"");
        String orderId = "an-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 1, 100L));
        producer.flush();
        assertThat(get("/orders/" + orderId + "?waitFor=TERMINAL&timeout=20s").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/analytics/orders?window=5m").body()
                .contains("\"CONFIRMED\":{\"count\":"));
    }

    @Test
    void shouldListEveryEndpointWhenTheRootIsAsked() throws Exception {
        // When
        HttpResponse<String> index = get("/");

        // Then a JSON index of the routes this server has, not a 404
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(index.body()).contains("\"service\":\"orderflow\"", "\"GET /orders/{id}\"",
                "\"GET /inventory/{sku}\"", "\"GET /accounts/{customerId}\"", "\"GET /analytics/orders\"",
                "\"GET /instances\"", "\"GET /health\"", "\"GET /metrics\"");
    }

    @Test
    void shouldAnswer400NamingTheParameterWhenInputIsMalformed() throws Exception {
        assertThat(get("/inventory?limit=0").body()).contains("limit");
        assertThat(get("/inventory?limit=lots").statusCode()).isEqualTo(400);
        assertThat(get("/inventory?from=bad%20sku").statusCode()).isEqualTo(400);
        assertThat(get("/analytics/orders?window=10s").statusCode()).isEqualTo(400);
        assertThat(get("/analytics/orders?window=often").body()).contains("window");
        assertThat(get("/orders/o1?waitFor=SOON").statusCode()).isEqualTo(400);
        assertThat(get("/orders/o1?waitFor=SOON").body()).contains("waitFor");
        assertThat(get("/orders/o1?waitFor=TERMINAL&timeout=forever").body()).contains("timeout");
        assertThat(get("/orders/o1?waitFor=TERMINAL&timeout=120s").statusCode()).isEqualTo(400);
        assertThat(get("/customers/bad%20id/orders").statusCode()).isEqualTo(400);
        assertThat(get("/nothing/here").statusCode()).isEqualTo(404);
        assertThat(get("/customers/nobody/orders").statusCode()).isEqualTo(404);
    }

    private static HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(request(path), HttpResponse.BodyHandlers.ofString());
    }
}
