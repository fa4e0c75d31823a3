package io.orderflow.devtools.embedded;

import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoopbackPortsTest {

    @Test
    void shouldFindPortWhenKafkaReportsItCouldNotBind() {
        // Given: the failure as Kafka's socket server reports it, wrapped by start-up
        KafkaException bindFailure = new KafkaException(
            "Socket server failed to bind to 127.0.0.1:9092: Address already in use.", new BindException("in use"));
        RuntimeException startupFailure = new IllegalStateException("Embedded Kafka failed to start", bindFailure);

        // When / Then
        assertThat(LoopbackPorts.portKafkaFailedToBind(startupFailure)).hasValue(9092);
    }

    @Test
    void shouldFindNoPortWhenFailureIsNotABindFailure() {
        // Given
        RuntimeException failure = new IllegalStateException("Could not format Kafka data dir");

        // When / Then
        assertThat(LoopbackPorts.portKafkaFailedToBind(failure)).isEmpty();
    }

    @Test
    void shouldChooseDistinctFreePortsWhenZeroIsRequested() {
        // Given / When
        int[] ports = LoopbackPorts.resolve(EmbeddedKafka.HOST, 0, 0);

        // Then
        assertThat(ports[0]).isPositive().isNotEqualTo(ports[1]);
        assertThat(ports[1]).isPositive();
    }

    @Test
    void shouldSayPortIsInUseWhenFixedPortIsTaken() throws Exception {
        // Given
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedKafka.HOST))) {

            // When / Then
            assertThatThrownBy(() -> LoopbackPorts.resolve(EmbeddedKafka.HOST, taken.getLocalPort()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + taken.getLocalPort() + " is already in use");
        }
    }
}
