package io.orderflow.devtools.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LogGrowthTest {

    @Test
    void shouldSortTopicsByKindWhenNamedTheWayKafkaStreamsNamesThem() {
        assertThat(LogGrowth.kindOf("orderflow-order-saga-changelog")).isEqualTo(LogGrowth.CHANGELOGS);
        assertThat(LogGrowth.kindOf("orderflow-customer-orders-by-customer-repartition"))
                .isEqualTo(LogGrowth.REPARTITIONS);
        assertThat(LogGrowth.kindOf("__transaction_state")).isEqualTo(LogGrowth.COORDINATORS);
        assertThat(LogGrowth.kindOf("__consumer_offsets")).isEqualTo(LogGrowth.COORDINATORS);
        assertThat(LogGrowth.kindOf("order.status")).isEqualTo(LogGrowth.TOPICS);
    }

    @Test
    void shouldReportTheGrowthPerSagaWhenGivenTwoSnapshots() {
        // Given end offsets before and after a run of 100 sagas; the repartitions appear only after
        LogGrowth before = new LogGrowth(Map.of(LogGrowth.TOPICS, 1_000L, LogGrowth.CHANGELOGS, 500L),
                Map.of("order.status", 1_000L, "app-order-saga-changelog", 500L));
        LogGrowth after = new LogGrowth(Map.of(LogGrowth.TOPICS, 2_250L, LogGrowth.CHANGELOGS, 3_000L,
                LogGrowth.REPARTITIONS, 300L, LogGrowth.COORDINATORS, 50L),
                Map.of("order.status", 2_250L, "app-order-saga-changelog", 3_000L, "app-x-repartition", 300L,
                        "__transaction_state", 50L, "app-idle-changelog", 4L));

        // When
        LogGrowth run = after.minus(before);

        // Then
        assertThat(run.total()).isEqualTo(4_100L);
        assertThat(run.render(100)).isEqualTo("41.0 offsets appended per saga (records and transaction markers): "
                + "topics 12.5, changelogs 25.0, repartitions 3.0, coordinators 0.5");
        assertThat(run.perSaga(100)).isEqualTo(41.0);
        assertThat(run.perSaga(LogGrowth.CHANGELOGS, 100)).isEqualTo(25.0);
        // Most first, the application id left off, a topic that grew by less than 0.05 per saga left out
        assertThat(run.renderTopics(100, "app-")).isEqualTo("order-saga-changelog 25.0, order.status 12.5, "
                + "x-repartition 3.0, __transaction_state 0.5");
    }
}
