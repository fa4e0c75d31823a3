package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three instances with a standby each: every key asked of every instance gives the same answer, and when one
 * instance stops while readers keep asking, the others answer only 200 or 503 until the new owners serve again.
 * (The instances share this JVM, so one is closed rather than killed with SIGKILL.)
 */
class MultiInstanceQueryIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void shouldServeEveryKeyFromEveryInstanceAndSurviveOneStopping(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        List<OrderflowInstance> instances = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            for (int i = 0; i < 3; i++) {
                instances.add(BrokerFixture.start(BrokerFixture.instanceProps(bootstrap, state.resolve("i" + i), 6)));
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> instances.stream().allMatch(in ->
                    in.streams().state() == KafkaStreams.State.RUNNING
                            && !in.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()));

            // Given orders, stock and accounts spread over the partitions
            List<String> skus = List.of("s1", "s2", "s3", "s4");
            List<String> customers = List.of("c1", "c2", "c3");
            skus.forEach(sku -> BrokerFixture.adjust(producer, sku, 1_000));
            customers.forEach(c -> BrokerFixture.deposit(producer, c, 1_000_000));
            producer.flush();
            await().atMost(Duration.ofSeconds(90)).until(() -> get(instances.get(0), "/accounts/c3").statusCode() == 200
                    && get(instances.get(0), "/inventory/s4").statusCode() == 200);
            List<String> orders = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String orderId = "mi-" + i;
                orders.add(orderId);
                BrokerFixture.place(producer, orderId, customers.get(i % 3), new OrderLine(skus.get(i % 4), 1, 10L));
            }
            producer.flush();
            for (String orderId : orders) {
                assertThat(get(instances.get(0), "/orders/" + orderId + "?waitFor=TERMINAL&timeout=30s")
                        .statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> get(instances.get(0), "/customers/c1/orders").body()
                    .contains("\"CONFIRMED\":8"));

            // When every key is asked of every instance, then the answers agree
            List<String> paths = new ArrayList<>();
            orders.forEach(o -> paths.add("/orders/" + o));
            skus.forEach(s -> paths.add("/inventory/" + s));
            customers.forEach(c -> paths.add("/accounts/" + c));
            customers.forEach(c -> paths.add("/customers/" + c + "/orders"));
            paths.add("/inventory?limit=10");
            Set<String> servers = new TreeSet<>();
            for (String path : paths) {
                Set<String> answers = new TreeSet<>();
                for (OrderflowInstance instance : instances) {
                    HttpResponse<String> response = get(instance, path);
                    assertThat(response.statusCode()).as(path).isEqualTo(200);
                    answers.add(response.body().replaceAll(",\"servedBy\":\"[^\"]+\"", ""));
                    response.headers().firstValue("X-Orderflow-Served-By").ifPresent(servers::add);
                }
                assertThat(answers).as("answers for %s", path).hasSize(1);
            }
            assertThat(servers).as("instances that served keys").hasSize(3);

            // And the analytics, whose windows are spread over every instance's partitions, add up to every order
            // on each instance asked (24 orders of 10 minor units each)
            for (OrderflowInstance instance : instances) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        get(instance, "/analytics/orders?window=15m").body())
                        .contains("\"CONFIRMED\":{\"count\":24,\"amounts\":{\"EUR\":240}}"));
            }

            // And a query string Jetty accepts but java.net.URI does not reaches a key's owner re-encoded: the
            // instance passing it on answers as the owner does, not 500
            for (OrderflowInstance instance : instances) {
                for (String customer : customers) {
                    RawHttp.Response response = RawHttp.send(instance.httpPort(), "GET", "/accounts/" + customer
                            + "?allowStale=false&note=a|b^c", Map.of(), new byte[0]);
                    assertThat(response.status()).as("%s from %s: %s", customer, instance.httpPort(),
                            response.body()).isEqualTo(200);
                }
            }
            assertThat(get(instances.get(1), "/instances").body().split("\"host\"")).hasSize(4);

            // When one instance stops while readers keep asking the others
            OrderflowInstance stopped = instances.remove(2);
            stopped.close();
            List<Integer> statuses = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                boolean allServed = true;
                for (String path : paths) {
                    for (OrderflowInstance instance : instances) {
                        int status = get(instance, path).statusCode();
                        statuses.add(status);
                        allServed &= status == 200;
                    }
                }
                return allServed;
            });

            // Then nothing but 200 and 503 was answered during the handover
            assertThat(statuses).isNotEmpty().allMatch(status -> status == 200 || status == 503);
        } finally {
            instances.forEach(OrderflowInstance::close);
        }
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort() + path))
                .timeout(Duration.ofSeconds(35)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
