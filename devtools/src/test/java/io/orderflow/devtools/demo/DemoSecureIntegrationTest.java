package io.orderflow.devtools.demo;

import io.orderflow.devtools.cli.SagaCommand;
import io.orderflow.devtools.it.BrokerFixture;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code saga demo --secure} end to end: a broker with TLS, SCRAM logins and deny-by-default ACLs, the instances and
 * the Connect worker each logging in with exactly their role's ACLs, the intake and the read API over HTTPS with a
 * bearer token — every sample order placed through {@code POST /orders}, published by Debezium and ended by the saga.
 */
class DemoSecureIntegrationTest {
    @Test
    void shouldEndEveryOrderWhenTheWholeStackRunsSecured() {
        // Given the repository as home (as ./saga sets it: connectors/ lives there)
        String home = System.getProperty("orderflow.home");
        System.setProperty("orderflow.home", Path.of("").toAbsolutePath().getParent().toString());
        int code;
        try {
            // When the default path runs secured: POST /orders -> PostgreSQL -> Debezium -> order.events
            code = SagaCommand.execute("demo", "--secure", "--orders", "12", "--exit",
                    "--kafka-port", Integer.toString(BrokerFixture.freePort()),
                    "--http-port", Integer.toString(BrokerFixture.freePort()));
        } finally {
            if (home == null) {
                System.clearProperty("orderflow.home");
            } else {
                System.setProperty("orderflow.home", home);
            }
        }

        // Then every order reached CONFIRMED or CANCELLED (the demo exits 1 when any is still pending)
        assertThat(code).isZero();
    }
}
