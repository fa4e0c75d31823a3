package io.orderflow.devtools.registry;

import io.orderflow.devtools.cli.SagaCommand;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.devtools.it.BrokerFixture;
import io.orderflow.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code saga demo --schema-registry URL} against a real registry (Apicurio's Confluent-compatible API). */
class DemoWithSchemaRegistryIntegrationTest {
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    @Test
    void shouldFinishEveryOrderAndRegisterTheOutputSchemasWhenTheDemoRunsAgainstASchemaRegistry() {
        // Given / When: the demo's orders straight onto order.events, --exit once every order is terminal
        int code = SagaCommand.execute("demo", "--via", "topic", "--orders", "6", "--exit",
                "--kafka-port", Integer.toString(BrokerFixture.freePort()),
                "--http-port", Integer.toString(BrokerFixture.freePort()),
                "--schema-registry", REGISTRY.confluentUrl());

        // Then every order reached CONFIRMED or CANCELLED — read back from order.status through the registry
        assertThat(code).isZero();
        // And every Avro topic the saga writes has its subject there
        assertThat(REGISTRY.registry().subjects()).contains(Topics.ORDER_STATUS + "-value",
                Topics.PAYMENT_COMMANDS + "-value", Topics.PAYMENT_REPLIES + "-value",
                Topics.INVENTORY_COMMANDS + "-value", Topics.INVENTORY_REPLIES + "-value");
    }
}
