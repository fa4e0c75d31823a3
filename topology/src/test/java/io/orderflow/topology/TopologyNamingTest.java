package io.orderflow.topology;

import io.orderflow.serde.LocalSchemaRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** An upstream change must never rename a changelog or repartition topic, so nothing may carry a generated name. */
class TopologyNamingTest {

    @Test
    void shouldContainNoGeneratedNamesWhenDescribed() {
        // Given
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        Properties streams = OrderflowConfig.streamsProperties(props);

        // When
        Topology topology = OrderflowTopology.build(OrderflowDriver.config(), LocalSchemaRegistry.instance(),
                OrderflowMetrics.NONE, streams);
        String description = topology.describe().toString();

        // Then
        assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-")
                .doesNotContain("-STATE-STORE-").doesNotContain("KSTREAM-AGGREGATE");
        assertThat(description).contains("order-saga", "saga-deadlines", "payment-accounts", "inventory-stock",
                "orders-view", "customer-orders-view", "order-analytics", "order-events-rekeyed",
                "customer-orders-by-customer");
        assertThat(description).as("analytics are counted where the status records are, not re-keyed")
                .doesNotContain("order-analytics-by-status");
        assertThat(streams.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG)).isEqualTo(true);
        assertThat(streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    }
}
