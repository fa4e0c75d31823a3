package io.orderflow.topology;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class OrderflowConfigTest {

    @Test
    void shouldNotIdleTasksWhenNothingIsSet() {
        // Given
        Properties props = new Properties();

        // When
        Properties streams = OrderflowConfig.streamsProperties(props);

        // Then
        assertThat(streams.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(-1L);
        assertThat(new StreamsConfig(withBootstrap(streams)).getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
                .isEqualTo(-1L);
    }

    @Test
    void shouldKeepTheOperatorsTaskIdlingWhenSet() {
        // Given
        Properties props = new Properties();
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "250");

        // When
        Properties streams = OrderflowConfig.streamsProperties(props);

        // Then
        assertThat(new StreamsConfig(withBootstrap(streams)).getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
                .isEqualTo(250L);
    }

    @Test
    void shouldKeepTheOperatorsCommitIntervalAndCacheWhenSet() {
        // Given
        Properties props = new Properties();
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "1048576");

        // When
        StreamsConfig streams = new StreamsConfig(withBootstrap(OrderflowConfig.streamsProperties(props)));

        // Then
        assertThat(streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(200L);
        assertThat(streams.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(1_048_576L);
    }

    private static Properties withBootstrap(Properties streams) {
        Properties copy = new Properties();
        copy.putAll(streams);
        copy.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return copy;
    }
}
