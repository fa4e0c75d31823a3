package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatusChanged;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances split the partitions; one is closed while orders flow; the other takes over its tasks, and every
 * order still reaches exactly one terminal status with versions 1..n — what exactly-once promises across a
 * handover.
 */
class FailoverIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final int ORDERS = 300;

    @Test
    void shouldGiveEveryOrderOneTerminalStatusWhenOneOfTwoInstancesStopsMidStream(@TempDir Path state)
            throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        OrderflowInstance first = BrokerFixture.start(BrokerFixture.instanceProps(bootstrap, state.resolve("a"), 4));
        try (OrderflowInstance second = BrokerFixture.start(BrokerFixture.instanceProps(bootstrap,
                state.resolve("b"), 4));
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap);
             KafkaConsumer<String, OrderStatusChanged> status = BrokerFixture.statusConsumer(bootstrap)) {
            // Given both instances share the work
            await().atMost(Duration.ofSeconds(60)).until(() -> first.streams().state() == KafkaStreams.State.RUNNING
                    && second.streams().state() == KafkaStreams.State.RUNNING
                    && !first.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()
                    && !second.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            BrokerFixture.adjust(producer, "apple", 1_000_000);
            for (int c = 0; c < 10; c++) {
                BrokerFixture.deposit(producer, "c" + c, 10_000_000);
            }
            producer.flush();
            List<OrderStatusChanged> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                BrokerFixture.place(producer, "warmup", "c0", new OrderLine("apple", 1, 1L));
                producer.flush();
                seen.addAll(BrokerFixture.poll(status));
                return seen.stream().anyMatch(s -> s.getOrderId().equals("warmup")
                        && BrokerFixture.isTerminal(s.getStatus()));
            });

            // When orders flow and one instance is closed half-way
            for (int i = 0; i < ORDERS; i++) {
                BrokerFixture.place(producer, "o" + i, "c" + (i % 10), new OrderLine("apple", 1, 100L));
                if (i == ORDERS / 2) {
                    producer.flush();
                    first.close();
                }
            }
            producer.flush();

            // Then the survivor finishes every order
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                seen.addAll(BrokerFixture.poll(status));
                return terminalOrders(seen) >= ORDERS + 1;
            });
            Map<String, List<Integer>> versions = new TreeMap<>();
            seen.forEach(s -> versions.computeIfAbsent(s.getOrderId(), k -> new ArrayList<>()).add(s.getVersion()));
            for (Map.Entry<String, List<Integer>> e : versions.entrySet()) {
                List<Integer> v = e.getValue();
                List<Integer> expected = new ArrayList<>();
                for (int n = 1; n <= v.size(); n++) {
                    expected.add(n);
                }
                assertThat(v).as("versions of %s", e.getKey()).isEqualTo(expected);
            }
            assertThat(terminalOrders(seen)).isEqualTo(ORDERS + 1);
            assertThat(seen.stream().filter(s -> BrokerFixture.isTerminal(s.getStatus())).count())
                    .as("terminal statuses (one per order)").isEqualTo(ORDERS + 1L);
        } finally {
            first.close();
        }
    }

    private static long terminalOrders(List<OrderStatusChanged> seen) {
        return seen.stream().filter(s -> BrokerFixture.isTerminal(s.getStatus()))
                .map(OrderStatusChanged::getOrderId).distinct().count();
    }
}
