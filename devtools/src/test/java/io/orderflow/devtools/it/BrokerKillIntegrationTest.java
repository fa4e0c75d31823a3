package io.orderflow.devtools.it;

import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.devtools.embedded.KafkaCluster;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.OrderflowConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker of a three-node KRaft cluster (replication 3, min.insync.replicas 2; each node its own JVM) is killed with
 * SIGKILL while orders flow, and started again: every order is confirmed — none lost, none cancelled for TIMEOUT
 * although the saga timeout (5 s) is shorter than the failover — because saga deadlines wait for Orderflow's own
 * reply path. The processing stall (the longest gap between terminal statuses) is logged for the record; how long
 * it may be is the bench's and chaos's business, not a test's.
 */
class BrokerKillIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerKillIntegrationTest.class);
    private static final int ORDERS = 400;
    private static final int CUSTOMERS = 10;

    @Test
    void shouldConfirmEveryOrderWhenABrokerIsKilledAndRestartedWhileOrdersFlow(@TempDir Path state)
            throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(3)) {
            String bootstrap = cluster.bootstrapServers();
            Properties props = BrokerFixture.instanceProps(bootstrap, state, 6);
            props.put(InstanceConfig.REPLICATION_FACTOR, "3");
            props.put(OrderflowConfig.SAGA_TIMEOUT, "5s");
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            try (OrderflowInstance instance = BrokerFixture.start(props);
                 KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap);
                 KafkaConsumer<String, OrderStatusChanged> statuses = BrokerFixture.statusConsumer(bootstrap)) {
                // Given stock and funds for every order
                BrokerFixture.adjust(producer, "bk-sku", 1_000_000);
                for (int c = 0; c < CUSTOMERS; c++) {
                    BrokerFixture.deposit(producer, "bk-c" + c, 1_000_000_000L);
                }
                producer.flush();
                Map<String, OrderStatus> terminal = new ConcurrentHashMap<>();
                List<Long> terminalAt = new ArrayList<>();

                // When orders flow at 20/s, and node 2 is killed after 100 of them and started again after 300
                AtomicInteger placed = new AtomicInteger();
                pacer.scheduleAtFixedRate(() -> {
                    int i = placed.get();
                    if (i < ORDERS) {
                        BrokerFixture.place(producer, "bk-o" + i, "bk-c" + (i % CUSTOMERS),
                                new OrderLine("bk-sku", 1, 100L));
                        placed.incrementAndGet();
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(60)).until(() -> drain(statuses, terminal, terminalAt) >= 0
                        && placed.get() >= 100);
                long killedAt = System.nanoTime();
                cluster.kill(1);
                await().atMost(Duration.ofSeconds(60)).until(() -> drain(statuses, terminal, terminalAt) >= 0
                        && placed.get() >= 300);
                cluster.restart(1);
                long restartedAt = System.nanoTime();

                // Then every order reaches a terminal status, and that status is CONFIRMED
                await().atMost(Duration.ofSeconds(180)).until(() -> drain(statuses, terminal, terminalAt) >= ORDERS);
                assertThat(terminal).hasSize(ORDERS);
                assertThat(terminal.values()).as("terminal statuses").containsOnly(OrderStatus.CONFIRMED);
                assertThat(instance.metrics().scrape()).contains("saga_timeouts_total 0.0");

                long stall = 0;
                for (int i = 1; i < terminalAt.size(); i++) {
                    stall = Math.max(stall, terminalAt.get(i) - terminalAt.get(i - 1));
                }
                LOG.info("Measured: broker node {} down for {} s; longest gap between terminal statuses {} ms; "
                                + "{} orders, all confirmed", cluster.nodeId(1),
                        Duration.ofNanos(restartedAt - killedAt).toSeconds(), Duration.ofNanos(stall).toMillis(),
                        ORDERS);
            } finally {
                pacer.shutdownNow();
            }
        }
    }

    /** Reads what order.status has now; records each order's terminal status and when it was seen. */
    private static int drain(KafkaConsumer<String, OrderStatusChanged> statuses, Map<String, OrderStatus> terminal,
                             List<Long> terminalAt) {
        for (ConsumerRecord<String, OrderStatusChanged> record : statuses.poll(Duration.ofMillis(200))) {
            OrderStatus status = record.value().getStatus();
            if (BrokerFixture.isTerminal(status) && terminal.put(record.key(), status) == null) {
                terminalAt.add(System.nanoTime());
            }
        }
        return terminal.size();
    }
}
