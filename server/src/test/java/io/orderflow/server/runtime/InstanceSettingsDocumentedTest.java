package io.orderflow.server.runtime;

import io.orderflow.config.SettingsTable;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.server.cli.IntakeCommand;
import io.orderflow.server.cli.RunCommand;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/operations.md's Configuration table lists exactly the declared instance settings, and {@code saga run --help}
 * and {@code saga intake --help} name every setting of theirs.
 */
class InstanceSettingsDocumentedTest {

    @Test
    void shouldListEveryInstanceSettingWithItsDefaultInTheOperationsGuide() throws Exception {
        // Given the guide
        String guide = Files.readString(Path.of("..", "docs", "operations.md"));

        // When compared with the declared settings (Kafka Streams' own keys may be listed as well)
        var problems = SettingsTable.problems(InstanceConfig.DEF, guide, "Configuration",
                StreamsConfig.configDef().names());

        // Then
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldNameEverySettingInRunAndIntakeHelp() {
        // Then
        assertThat(RunCommand.KEYS).contains(InstanceConfig.DEF.names().toArray(new String[0]));
        assertThat(IntakeCommand.KEYS).contains(IntakeConfig.DEF.names().toArray(new String[0]))
                .contains(InstanceConfig.HTTP_PORT, InstanceConfig.HTTP_HOST);
    }

    @Test
    void shouldPassOnlyKafkaStreamsKeysThroughFromTheTable() {
        // The passed-through keys the table lists are real Kafka Streams settings, so the check above can fail
        assertThat(StreamsConfig.configDef().names()).contains("processing.guarantee", "max.task.idle.ms",
                "statestore.cache.max.bytes", "commit.interval.ms").doesNotContain("saga.timeout");
        assertThat(Set.copyOf(InstanceConfig.DEF.names())).contains("saga.timeout", "http.port");
    }
}
