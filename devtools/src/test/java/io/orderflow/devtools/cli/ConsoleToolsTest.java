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

    @Test
    void shouldPassPropertyOnAsFormatterPropertyWhenDeadLettersAreRead() {
        // When the consumer is asked for headers with Kafka's old option, where the wrapper adds its own
        List<String> args = ConsoleTools.consumerArgs(
                List.of("--topic", "orderflow.dlq", "--from-beginning", "--property", "print.headers=true"));

        // Then only --formatter-property reaches Kafka (it refuses both together), print.headers once
        assertThat(args).doesNotContain("--property")
                .containsSubsequence("--formatter-property", "print.headers=true")
                .containsOnlyOnce("print.headers=true");
    }

    @Test
    void shouldRenamePropertyWhenGivenWithAnEqualsSign() {
        assertThat(ConsoleTools.consumerArgs(List.of("--topic", "order.events", "--property=print.key=true")))
                .contains("--formatter-property=print.key=true")
                .doesNotContain("--property=print.key=true");
    }
}
