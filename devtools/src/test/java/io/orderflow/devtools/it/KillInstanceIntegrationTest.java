package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.contracts.OrderLine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
 * Three instances as separate processes ({@code saga run}), one standby each. One is killed with SIGKILL while
 * readers keep asking the other two: they answer only 200 or 503 (never another 5xx, never a hang), with
 * {@code allowStale=true} they keep answering, and within a bounded time every key is served again.
 */
class KillInstanceIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldKeepAnsweringWithOnly200Or503WhenAnInstanceIsKilled(@TempDir Path dir) throws Exception {
        List<InstanceJvm> processes = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        Properties settings = new Properties();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = BrokerFixture.producer(KAFKA.bootstrapServers())) {
            // Given three instances in their own JVMs
            for (int i = 0; i < 3; i++) {
                InstanceJvm instance = InstanceJvm.start("instance-" + i, InstanceJvm.thisBuild(), settings, dir);
                processes.add(instance);
                ports.add(instance.port());
            }
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ports.stream().allMatch(p -> status(p, "/ready") == 200));
            List<String> customers = List.of("k1", "k2", "k3", "k4", "k5", "k6");
            customers.forEach(c -> BrokerFixture.deposit(producer, c, 1_000_000));
            BrokerFixture.adjust(producer, "apple", 10_000);
            producer.flush();
            List<String> paths = new ArrayList<>();
            customers.forEach(c -> paths.add("/accounts/" + c));
            for (int i = 0; i < 12; i++) {
                BrokerFixture.place(producer, "kill-" + i, customers.get(i % 6), new OrderLine("apple", 1, 10L));
                paths.add("/orders/kill-" + i);
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> paths.stream().allMatch(path -> status(ports.get(0), path) == 200));

            // When one instance is killed (SIGKILL: no shutdown, no leave-group) while orders keep coming and
            // readers keep asking
            List<String> placedDuring = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean flowing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread orders = new Thread(() -> {
                for (int i = 0; flowing.get() && i < 200; i++) {
                    String orderId = "during-" + i;
                    BrokerFixture.place(producer, orderId, customers.get(i % 6), new OrderLine("apple", 1, 10L));
                    producer.flush();
                    placedDuring.add(orderId);
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // pacing
                }
            }, "orders-during-kill");
            orders.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> placedDuring.size() >= 5);
            processes.get(2).kill();
            List<Integer> survivors = ports.subList(0, 2);
            List<Integer> seen = new ArrayList<>();
            List<Integer> stale = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                boolean allServed = true;
                for (int port : survivors) {
                    for (String path : paths) {
                        int code = status(port, path);
                        seen.add(code);
                        allServed &= code == 200;
                        stale.add(status(port, path + "?allowStale=true"));
                    }
                }
                return allServed;
            });

            flowing.set(false);
            orders.join();

            // Then every order placed around the kill still completes
            for (String orderId : placedDuring) {
                assertThat(status(ports.get(0), "/orders/" + orderId + "?waitFor=TERMINAL&timeout=60s"))
                        .as(orderId).isEqualTo(200);
            }
            // And only 200 and 503 were answered, and stale reads were served throughout
            assertThat(seen).isNotEmpty().allMatch(code -> code == 200 || code == 503);
            assertThat(stale).allMatch(code -> code == 200 || code == 503);
            assertThat(stale.stream().filter(code -> code == 200).count())
                    .as("allowStale reads answered with data").isGreaterThan(stale.size() / 2);
        } finally {
            for (InstanceJvm instance : processes) {
                instance.close();
            }
        }
    }

    private static int status(int port, String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(70)).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
