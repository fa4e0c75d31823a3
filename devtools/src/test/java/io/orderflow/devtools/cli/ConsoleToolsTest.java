package io.orderflow.devtools.cli;

import io.orderflow.devtools.console.AvroJsonFormatter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleToolsTest {

    @Test
    void shouldDefaultBootstrapServerWhenNoneIsGiven() {
        assertThat(ConsoleTools.producerArgs(List.of("--topic", "order.events")))
                .containsSubsequence("--bootstrap-server", "localhost:9092");
    }

    @Test
    void shouldKeepGivenBootstrapServerWhenOneIsGiven() {
        assertThat(ConsoleTools.producerArgs(List.of("--bootstrap-server", "k:1", "--topic", "order.events")))
                .containsExactly("--bootstrap-server", "k:1", "--topic", "order.events");
    }

    @Test
    void shouldRenderAvroTopicsAsJsonWhenConsuming() {
        assertThat(ConsoleTools.consumerArgs(List.of("--topic", "order.status")))
                .containsSubsequence("--formatter", AvroJsonFormatter.class.getName())
                .containsSubsequence("--isolation-level", "read_committed");
    }

    @Test
    void shouldLeaveIngressTopicsAsTextWhenConsuming() {
        assertThat(ConsoleTools.consumerArgs(List.of("--topic", "order.events"))).doesNotContain("--formatter");
    }

    @Test
    void shouldPrintHeadersWhenConsumingDeadLetters() {
        assertThat(ConsoleTools.consumerArgs(List.of("--topic", "orderflow.dlq")))
                .containsSubsequence("--formatter-property", "print.headers=true");
    }
}
