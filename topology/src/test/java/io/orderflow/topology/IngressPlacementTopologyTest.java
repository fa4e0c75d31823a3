package io.orderflow.topology;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import static io.orderflow.topology.OrderflowDriver.bytes;
import static io.orderflow.topology.OrderflowDriver.line;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingress records on another partition than their key hashes to are rerouted through the ingress repartition
 * topic; correctly placed ones are not. {@link TopologyTestDriver} puts every input record on partition 0 while the
 * topology is built for {@link OrderflowConfig#DEFAULT_PARTITIONS}, so a key whose murmur2 partition is not 0 is a
 * record a non-Java producer placed wrongly.
 */
class IngressPlacementTopologyTest {
    private static final int PARTITIONS = OrderflowConfig.DEFAULT_PARTITIONS;

    @Test
    void shouldGiveTheJavaProducersPartitionWhenKeyIsHashed() {
        // Given keys of every shape the topics carry
        for (String key : new String[]{"o1", "sku-42", "customer:7", "ünïcode", "x".repeat(64)}) {
            // Then the gate's partition is the one Kafka's own default partitioner gives
            assertThat(IngressStreams.partitionOf(key, PARTITIONS)).isEqualTo(
                    BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), PARTITIONS));
        }
    }

    @Test
    void shouldRerouteOnlyMisplacedRecordsWhenKeyedRecordsArriveOnPartitionZero() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given one sku and one customer placed correctly on partition 0, and one of each that is not
            String homeSku = keyOnPartition("sku-", 0);
            String awaySku = keyNotOnPartition("sku-", 0);
            String homeCustomer = keyOnPartition("c-", 0);
            String awayCustomer = keyNotOnPartition("c-", 0);

            // When restocks and deposits for all four arrive on partition 0
            d.adjust("a1", homeSku, 5, null);
            d.adjust("a2", awaySku, 7, null);
            d.deposit("d1", homeCustomer, 1_000, "EUR");
            d.deposit("d2", awayCustomer, 2_000, "EUR");

            // Then every one is applied under its key
            assertThat(d.stock(homeSku).getOnHand()).isEqualTo(5);
            assertThat(d.stock(awaySku).getOnHand()).isEqualTo(7);
            assertThat(d.account(homeCustomer).getBalance()).isEqualTo(1_000);
            assertThat(d.account(awayCustomer).getBalance()).isEqualTo(2_000);
            // And only the misplaced ones took the repartition hop
            assertThat(d.metrics().count("ingress_repartitioned:inventory.adjustments:partition")).isEqualTo(1);
            assertThat(d.metrics().count("ingress_repartitioned:payment.deposits:partition")).isEqualTo(1);
            assertThat(d.metrics().count("ingress_repartitioned:inventory.adjustments:keyless")).isZero();
        }
    }

    @Test
    void shouldConfirmOrderWhenOrderEventSitsOnAnotherPartitionThanItsKey() {
        try (OrderflowDriver d = OrderflowDriver.full()) {
            // Given stock and funds
            d.adjust("a1", "s1", 10, null);
            d.deposit("d1", "c1", 1_000, "EUR");
            String orderId = keyNotOnPartition("order-", 0);

            // When the order arrives on partition 0 although its key hashes elsewhere, then a keyless one
            d.place("e1", orderId, "c1", "EUR", line("s1", 1, 100));
            d.pipeOrderEvent(null, bytes("{\"type\":\"OrderPlaced\",\"eventId\":\"e2\",\"orderId\":\"keyless-1\","
                    + "\"customerId\":\"c1\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"s1\",\"quantity\":1,"
                    + "\"unitPrice\":100}]}"));

            // Then both sagas meet their replies and confirm, each counted under its cause
            assertThat(d.orderView(orderId).getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(d.orderView("keyless-1").getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(d.metrics().count("ingress_repartitioned:order.events:partition")).isEqualTo(1);
            assertThat(d.metrics().count("ingress_repartitioned:order.events:keyless")).isEqualTo(1);
        }
    }

    @Test
    void shouldNotRerouteAnyRecordWhenTopicsHaveOnePartition() {
        // Given a topology for single-partition topics, where every key belongs on partition 0
        OrderflowConfig defaults = OrderflowDriver.config();
        OrderflowConfig one = new OrderflowConfig(defaults.sagaTimeout(), defaults.dedupeTtl(),
                defaults.deadlineScan(), defaults.retention(), defaults.retentionScan(), "local:", 1);
        try (OrderflowDriver d = OrderflowDriver.full(one)) {
            // When keyed records arrive
            d.adjust("a1", keyNotOnPartition("sku-", 0), 5, null);

            // Then none takes the hop
            assertThat(d.metrics().count("ingress_repartitioned:inventory.adjustments:partition")).isZero();
        }
    }

    private static String keyOnPartition(String prefix, int partition) {
        return IntStream.range(0, 1_000).mapToObj(i -> prefix + i)
                .filter(k -> IngressStreams.partitionOf(k, PARTITIONS) == partition).findFirst().orElseThrow();
    }

    private static String keyNotOnPartition(String prefix, int partition) {
        return IntStream.range(0, 1_000).mapToObj(i -> prefix + i)
                .filter(k -> IngressStreams.partitionOf(k, PARTITIONS) != partition).findFirst().orElseThrow();
    }
}
