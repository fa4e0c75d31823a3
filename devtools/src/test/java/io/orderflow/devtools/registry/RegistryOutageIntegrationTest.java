package io.orderflow.devtools.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.it.BrokerFixture;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import io.orderflow.verify.VerifyFixture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Schema Registry that fails while records flow between the topologies loses nothing. The registry is real
 * (Apicurio) behind a proxy in this test that answers 503 to every schema lookup by id for a while: an instance that
 * joins then cannot read the commands, replies and status changes the first one wrote. Each such record must be read
 * again once the registry answers — never dead-lettered and skipped, which would lose a capture or a read model's
 * change for good (what a rolling upgrade under load showed).
 */
class RegistryOutageIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void shouldReadEveryRecordAgainAndLoseNoneWhenTheRegistryFailsLookups(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        AtomicBoolean outage = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        HttpServer proxy = proxy(URI.create(REGISTRY.confluentUrl()), outage, refused);
        String registryUrl = "http://127.0.0.1:" + proxy.getAddress().getPort() + URI.create(REGISTRY.confluentUrl())
                .getPath();
        List<OrderflowInstance> instances = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            // Given one instance that has written (and so registered) every schema, with money and stock
            instances.add(BrokerFixture.start(props(bootstrap, state.resolve("a"), registryUrl)));
            BrokerFixture.adjust(producer, "ro-sku", 10_000);
            for (int c = 0; c < 4; c++) {
                BrokerFixture.deposit(producer, "ro-c" + c, 10_000_000);
            }
            producer.flush();
            List<String> orders = new ArrayList<>();
            place(producer, orders, 0, 8);
            awaitEnded(instances.get(0), orders);

            // When the registry fails every lookup by id, a second instance joins and orders keep coming
            outage.set(true);
            instances.add(BrokerFixture.start(props(bootstrap, state.resolve("b"), registryUrl)));
            place(producer, orders, 8, 40);
            await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() >= 3);
            outage.set(false);

            // Then, once it answers again, every saga ends, and ends CONFIRMED
            awaitEnded(instances.get(0), orders);
            for (String orderId : orders) {
                assertThat(get(instances.get(1), "/orders/" + orderId).body()).as(orderId).contains("CONFIRMED");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get(instances.get(0), "/customers/ro-c0/orders").body()
                    .contains("\"CONFIRMED\":10"));
        } finally {
            for (OrderflowInstance instance : instances) {
                instance.close();
            }
            proxy.stop(0);
        }

        // And nothing Orderflow wrote was dead-lettered, and saga verify finds every invariant held
        assertThat(deadLetters(bootstrap)).as("dead letters").isEmpty();
        VerifyFixture.Result verify = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap,
                "--schema-registry", REGISTRY.confluentUrl(), "--timeout", "60s");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(refused.get()).as("lookups refused during the outage").isPositive();
    }

    private static Properties props(String bootstrap, Path dir, String registryUrl) {
        Properties props = BrokerFixture.instanceProps(bootstrap, dir, 4);
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, registryUrl);
        return props;
    }

    private static void place(KafkaProducer<String, byte[]> producer, List<String> orders, int from, int to) {
        for (int i = from; i < to; i++) {
            String orderId = "ro-" + i;
            orders.add(orderId);
            BrokerFixture.place(producer, orderId, "ro-c" + (i % 4), new OrderLine("ro-sku", 1, 10L));
        }
        producer.flush();
    }

    private static void awaitEnded(OrderflowInstance instance, List<String> orders) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String orderId : orders) {
                String body = get(instance, "/orders/" + orderId).body();
                if (!body.contains("\"status\":\"CONFIRMED\"") && !body.contains("\"status\":\"CANCELLED\"")) {
                    return false;
                }
            }
            return true;
        });
    }

    private static List<String> deadLetters(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEAD_LETTERS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    var topic = record.headers().lastHeader("__streams.errors.topic");
                    letters.add((topic == null ? "?" : new String(topic.value(), StandardCharsets.UTF_8)) + "@"
                            + record.offset());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return letters;
    }

    /**
     * Forwards every request to {@code registry}, except that while {@code outage} is set it answers 503 to schema
     * lookups by id ({@code GET …/schemas/ids/…}), counting them in {@code refused}.
     */
    private static HttpServer proxy(URI registry, AtomicBoolean outage, AtomicInteger refused) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                if (outage.get() && path.contains("/schemas/ids/")) {
                    refused.incrementAndGet();
                    respond(exchange, 503, "{\"error_code\":50301,\"message\":\"registry outage (test)\"}");
                    return;
                }
                URI target = registry.resolve(path + (exchange.getRequestURI().getRawQuery() == null ? ""
                        : "?" + exchange.getRequestURI().getRawQuery()));
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                if (contentType != null) {
                    request.header("Content-Type", contentType);
                }
                HttpResponse<byte[]> answer = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                answer.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders()
                        .set("Content-Type", v));
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                if (answer.body().length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer.body());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort() + path))
                .timeout(Duration.ofSeconds(70)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
