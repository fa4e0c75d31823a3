package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
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
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The saga end to end on a real KRaft broker with {@code exactly_once_v2}: orders in as JSON, statuses read back
 * with {@code read_committed}, state answered over real HTTP.
 */
class SagaOnBrokerIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void shouldConfirmAndCancelOrdersExactlyOnceWhenRunningOnRealBroker(@TempDir Path state) throws Exception {
        // Given a running instance, stock and funds
        Properties props = BrokerFixture.instanceProps(KAFKA.bootstrapServers(), state, 3);
        assertThat(props.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isNull(); // the default applies
        try (OrderflowInstance instance = BrokerFixture.start(props);
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(KAFKA.bootstrapServers());
             KafkaConsumer<String, OrderStatusChanged> status = BrokerFixture.statusConsumer(
                     KAFKA.bootstrapServers())) {
            BrokerFixture.adjust(producer, "apple", 100);
            BrokerFixture.adjust(producer, "truffle", 1);
            BrokerFixture.deposit(producer, "alice", 100_000);
            producer.flush();
            String http = "http://127.0.0.1:" + instance.httpPort();
            HttpClient client = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> get(client, http + "/accounts/alice").statusCode() == 200
                    && get(client, http + "/inventory/truffle").statusCode() == 200);

            // When
            for (int i = 0; i < 10; i++) {
                BrokerFixture.place(producer, "o" + i, "alice", new OrderLine("apple", 2, 100L));
            }
            BrokerFixture.place(producer, "short", "alice", new OrderLine("truffle", 2, 100L));
            producer.flush();

            // Then every order gets exactly one terminal status, with versions 1..n, read_committed
            List<OrderStatusChanged> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                seen.addAll(BrokerFixture.poll(status));
                return seen.stream().filter(s -> BrokerFixture.isTerminal(s.getStatus())).count() == 11;
            });
            assertThat(seen).filteredOn(s -> s.getOrderId().equals("o3"))
                    .extracting(OrderStatusChanged::getVersion).containsExactly(1, 2, 3);
            assertThat(seen).filteredOn(s -> s.getStatus() == OrderStatus.CONFIRMED).hasSize(10);
            assertThat(seen).filteredOn(s -> s.getOrderId().equals("short") && s.getStatus() == OrderStatus.CANCELLED)
                    .extracting(OrderStatusChanged::getReason).containsExactly(CancelReason.OUT_OF_STOCK);
            assertThat(instance.streams().state().isRunningOrRebalancing()).isTrue();

            // And the HTTP API answers from the stores: the stock commit and the capture follow CONFIRMED (the
            // saga sends them with it), so they become visible a commit or two later
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> stock = get(client, http + "/inventory/apple");
                assertThat(stock.statusCode()).isEqualTo(200);
                assertThat(stock.body()).contains("\"sku\":\"apple\"", "\"onHand\":80", "\"reserved\":0",
                        "\"available\":80", "\"version\":");
                HttpResponse<String> account = get(client, http + "/accounts/alice");
                assertThat(account.body()).contains("\"customerId\":\"alice\"", "\"balance\":98000",
                        "\"held\":0", "\"available\":98000");
            });
            HttpResponse<String> order = get(client, http + "/orders/short");
            assertThat(order.statusCode()).isEqualTo(200);
            assertThat(order.body()).contains("\"status\":\"CANCELLED\"", "\"reason\":\"OUT_OF_STOCK\"");
            assertThat(get(client, http + "/orders/nobody").statusCode()).isEqualTo(404);
            assertThat(get(client, http + "/inventory/bad%20sku").statusCode()).isEqualTo(400);
            assertThat(get(client, http + "/ready").statusCode()).isEqualTo(200);
        }
    }

    static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
