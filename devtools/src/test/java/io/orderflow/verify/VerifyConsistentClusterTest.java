package io.orderflow.verify;

import io.orderflow.devtools.it.BrokerFixture;

import com.fasterxml.jackson.databind.JsonNode;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.invariants.Invariant;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code saga verify} against a live Orderflow on a real broker whose orders all ended: confirmed, cancelled for
 * several reasons, cancelled by the customer after confirmation (refund and restock), and one unreadable order
 * event in the dead-letter topic. Every invariant holds, so verify exits 0.
 */
class VerifyConsistentClusterTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void shouldExitZeroWithOkJsonWhenEveryOrderEndedConsistently(@TempDir Path state) {
        String bootstrap = KAFKA.bootstrapServers();
        try (OrderflowInstance instance = BrokerFixture.start(BrokerFixture.instanceProps(bootstrap, state, 3));
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            // Given stock, funds and orders that end every way an order can end
            BrokerFixture.adjust(producer, "apple", 100);
            BrokerFixture.adjust(producer, "truffle", 1);
            BrokerFixture.deposit(producer, "alice", 100_000);
            BrokerFixture.deposit(producer, "bob", 150);
            producer.flush();
            List<String> confirmed = List.of("o1", "o2", "o3", "o4", "regret");
            for (String orderId : confirmed) {
                BrokerFixture.place(producer, orderId, "alice", new OrderLine("apple", 2, 100L));
            }
            BrokerFixture.place(producer, "short", "alice", new OrderLine("truffle", 2, 100L));
            BrokerFixture.place(producer, "poor", "bob", new OrderLine("apple", 1, 1_000L));
            BrokerFixture.place(producer, "nosuchsku", "alice", new OrderLine("caviar", 1, 100L));
            producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), "junk",
                    "{\"type\":\"OrderPlaced\",".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            VerifyFixture.awaitStatus(bootstrap, confirmed, OrderStatus.CONFIRMED);
            BrokerFixture.cancel(producer, "regret");
            producer.flush();
            Map<String, OrderStatusChanged> outcome = VerifyFixture.awaitStatus(bootstrap,
                    List.of("regret", "short", "poor", "nosuchsku"), OrderStatus.CANCELLED);
            assertThat(outcome.get("regret").getReason()).isEqualTo(CancelReason.CUSTOMER);
            assertThat(outcome.get("poor").getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
            // The read models fold order.status downstream of the saga; let them catch up before judging them.
            await().atMost(VerifyFixture.SETTLED).pollInterval(Duration.ofMillis(500)).until(() ->
                    new Verifier(VerifyOptions.of(bootstrap, Duration.ofSeconds(30)), new PrintWriter(new StringWriter()))
                            .run().result(Invariant.READ_MODELS).ok());

            // When
            VerifyFixture.Result result = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap, "--json",
                    "--timeout", "30s");

            // Then
            assertThat(result.code()).as(result.out() + result.err()).isZero();
            JsonNode json = result.json();
            assertThat(json.path("ok").asBoolean()).isTrue();
            assertThat(json.path("orders").asInt()).isEqualTo(8);
            for (Invariant invariant : Invariant.values()) {
                assertThat(json.path("invariants").path(invariant.name()).path("status").asText())
                        .as(invariant.name()).isEqualTo("OK");
            }
            assertThat(json.path("invariants").path("NO_OPEN_TRANSACTIONS").path("checked").asInt())
                    .as("every partition of every Orderflow and internal topic").isGreaterThan(27);
            assertThat(result.out()).contains("Invariants: OK (8 orders)", "NO_OPEN_TRANSACTIONS");
            assertThat(result.err()).contains("verify: read ").doesNotContain("Exception");
            assertThat(instance.streams().state().isRunningOrRebalancing()).isTrue();
        }
    }
}
