package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedConnect;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.embedded.LocalPostgres;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.server.runtime.Tracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One order, one trace, on real parts: a client's {@code POST /orders} with a W3C {@code traceparent}, the intake
 * (PostgreSQL, the outbox row carrying the trace context), Debezium's EventRouter on a real Connect worker placing it
 * in a Kafka header, the saga, the payment and inventory services and back, to CONFIRMED — every span exported by
 * the OpenTelemetry SDK over OTLP/HTTP to a real receiver ({@link OtlpReceiver}), configured by the standard
 * {@code otel.*} settings. The spans form one tree under the client's span, each Kafka hop a parent/child link.
 */
class TracingIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Pattern ORDER_ID = Pattern.compile("\"orderId\":\"([^\"]+)\"");
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    @Test
    void shouldTraceAnOrderFromThePostToItsTerminalStatusWhenTracingIsConfigured(@TempDir Path state)
            throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        Path connector = Path.of("").toAbsolutePath().getParent().resolve("connectors/orders-outbox.json");
        try (OtlpReceiver receiver = OtlpReceiver.start();
             LocalPostgres postgres = LocalPostgres.builder().start();
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            // Given an intake and an instance tracing to the receiver, as OTEL_EXPORTER_OTLP_ENDPOINT would say
            Map<String, String> otel = Map.of("otel.exporter.otlp.endpoint", receiver.endpoint(),
                    "otel.exporter.otlp.protocol", "http/protobuf", "otel.bsp.schedule.delay", "100");
            Properties props = BrokerFixture.instanceProps(bootstrap, state, 3);
            TopicSetup.ensure(props, Duration.ofSeconds(30));
            EmbeddedConnect connect = EmbeddedConnect.builder(bootstrap).start();
            try (Tracing intakeTracing = Tracing.configure("orderflow-intake", otel);
                 IntakeService intake = IntakeService.start(intakeConfig(postgres), new SimpleMeterRegistry(),
                         intakeTracing.openTelemetry());
                 OrderflowInstance instance = OrderflowInstance.start(props, BrokerFixture.STARTUP,
                         config -> IntakeRoutes.register(config, intake), Tracing.configure("orderflow", otel))) {
                String name = connect.registerConnector(connector, postgres.debeziumConnection());
                connect.awaitRunning(name, Duration.ofSeconds(120));
                String base = "http://127.0.0.1:" + instance.httpPort();
                BrokerFixture.adjust(producer, "apple", 100);
                BrokerFixture.deposit(producer, "alice", 10_000);
                producer.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/accounts/alice").statusCode() == 200);

                // When a client in a trace of its own places an order
                String orderId = post(base, "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01");

                // Then the order is confirmed, and its ten steps arrive as one trace under the client's span
                assertThat(get(base + "/orders/" + orderId + "?waitFor=TERMINAL&timeout=60s").body())
                        .contains("\"status\":\"CONFIRMED\"");
                List<String> expected = List.of("POST /orders", "saga.step.placed", "payment.AUTHORIZE",
                        "inventory.RESERVE", "saga.step.payment.AUTHORIZED", "saga.step.inventory.RESERVED",
                        "payment.CAPTURE", "inventory.COMMIT", "saga.step.payment.CAPTURED",
                        "saga.step.inventory.COMMITTED");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> names(ofOrder(receiver, orderId)).containsAll(expected));
                assertThat(receiver.errors()).isEmpty();
                List<OtlpReceiver.ReceivedSpan> spans = ofOrder(receiver, orderId);
                assertThat(spans).extracting(OtlpReceiver.ReceivedSpan::name)
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(spans).allSatisfy(span -> {
                    assertThat(span.traceId()).isEqualTo(CLIENT_TRACE);
                    assertThat(span.attributes()).containsEntry("saga.id", orderId).containsKey("saga.step");
                });
                assertThat(spans).extracting(OtlpReceiver.ReceivedSpan::spanId).doesNotHaveDuplicates();
                Map<String, OtlpReceiver.ReceivedSpan> byName = spans.stream()
                        .collect(Collectors.toMap(OtlpReceiver.ReceivedSpan::name, Function.identity()));
                // each hop: the client → the intake → the saga → a service → the saga again, and so on
                assertThat(byName.get("POST /orders").parentSpanId()).isEqualTo(CLIENT_SPAN);
                assertThat(byName.get("POST /orders").service()).isEqualTo("orderflow-intake");
                assertParent(byName, "saga.step.placed", "POST /orders");
                assertParent(byName, "payment.AUTHORIZE", "saga.step.placed");
                assertParent(byName, "inventory.RESERVE", "saga.step.placed");
                assertParent(byName, "saga.step.payment.AUTHORIZED", "payment.AUTHORIZE");
                assertParent(byName, "saga.step.inventory.RESERVED", "inventory.RESERVE");
                assertParent(byName, "saga.step.payment.CAPTURED", "payment.CAPTURE");
                assertParent(byName, "saga.step.inventory.COMMITTED", "inventory.COMMIT");
                // the step that confirmed sent the capture and the commit, and says so
                OtlpReceiver.ReceivedSpan confirming = byName.values().stream()
                        .filter(span -> "CONFIRMED".equals(span.attributes().get("saga.status"))).findFirst()
                        .orElseThrow();
                assertThat(confirming.name()).isIn("saga.step.payment.AUTHORIZED", "saga.step.inventory.RESERVED");
                assertThat(byName.get("payment.CAPTURE").parentSpanId()).isEqualTo(confirming.spanId());
                assertThat(byName.get("inventory.COMMIT").parentSpanId()).isEqualTo(confirming.spanId());
                assertThat(byName.get("saga.step.placed").attributes()).containsEntry("saga.attempt", "1");
                assertThat(byName.get("saga.step.placed").service()).isEqualTo("orderflow");
            } finally {
                connect.close();
            }
        }
    }

    private static void assertParent(Map<String, OtlpReceiver.ReceivedSpan> byName, String child, String parent) {
        assertThat(byName.get(child).parentSpanId()).as("parent of %s", child).isEqualTo(byName.get(parent).spanId());
    }

    private static List<OtlpReceiver.ReceivedSpan> ofOrder(OtlpReceiver receiver, String orderId) {
        return receiver.spans().stream().filter(span -> orderId.equals(span.attributes().get("saga.id"))).toList();
    }

    private static Set<String> names(List<OtlpReceiver.ReceivedSpan> spans) {
        return spans.stream().map(OtlpReceiver.ReceivedSpan::name).collect(Collectors.toSet());
    }

    private static IntakeConfig intakeConfig(LocalPostgres postgres) {
        return OutboxEndToEndIntegrationTest.intakeConfig(postgres);
    }

    private static String post(String base, String traceparent) throws Exception {
        String body = "{\"customerId\":\"alice\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"apple\",\"quantity\":1,"
                + "\"unitPrice\":100}]}";
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Idempotency-Key", "traced-1").header("Content-Type", "application/json")
                .header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher m = ORDER_ID.matcher(response.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return OutboxEndToEndIntegrationTest.get(url);
    }
}
