package io.orderflow.devtools.embedded;

import io.orderflow.server.runtime.KafkaTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static io.orderflow.devtools.embedded.EmbeddedKafkaExtension.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaTopicsTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Admin admin;

    @BeforeEach
    void openAdmin() {
        admin = KAFKA.admin();
    }

    @AfterEach
    void closeAdmin() {
        admin.close();
    }

    @Test
    void shouldCreateMissingTopicsWithRequestedPartitionCountWhenAbsent() throws Exception {
        // Given
        String orders = uniqueTopic("orders");
        String replies = uniqueTopic("replies");

        // When
        KafkaTopics.ensure(admin, List.of(orders, replies), 4, (short) 1, TIMEOUT);

        // Then
        assertThat(partitionCounts(orders, replies)).containsExactlyInAnyOrderEntriesOf(Map.of(orders, 4, replies, 4));
    }

    @Test
    void shouldLeaveExistingTopicsAndCreateOnlyNewOnesWhenEnsuredAgain() throws Exception {
        // Given
        String existing = uniqueTopic("existing");
        KafkaTopics.ensure(admin, List.of(existing), 3, (short) 1, TIMEOUT);
        String added = uniqueTopic("added");

        // When
        KafkaTopics.ensure(admin, List.of(existing), 3, (short) 1, TIMEOUT);
        KafkaTopics.ensure(admin, List.of(existing, added), 3, (short) 1, TIMEOUT);

        // Then
        assertThat(partitionCounts(existing, added)).containsExactlyInAnyOrderEntriesOf(Map.of(existing, 3, added, 3));
    }

    @Test
    void shouldReportTopicAndBothCountsWhenExistingTopicHasDifferentPartitionCount() throws Exception {
        // Given
        String narrow = uniqueTopic("narrow");
        KafkaTopics.ensure(admin, List.of(narrow), 2, (short) 1, TIMEOUT);
        String notYetCreated = uniqueTopic("not-yet-created");

        // When / Then
        assertThatThrownBy(() -> KafkaTopics.ensure(admin, List.of(narrow, notYetCreated), 6, (short) 1, TIMEOUT))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("topic " + narrow + " has 2 partitions but 6 are configured");
        // Nothing is created when the existing layout is wrong.
        assertThat(admin.listTopics().names().get()).doesNotContain(notYetCreated);
    }

    @Test
    void shouldReportTopicAndKafkasReasonWhenReplicationFactorExceedsBrokers() throws Exception {
        // Given
        String topic = uniqueTopic("replicated");

        // When / Then
        assertThatThrownBy(() -> KafkaTopics.ensure(admin, List.of(topic), 6, (short) 3, TIMEOUT))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("topic " + topic)
            .hasMessageContaining("replication factor 3")
            .hasMessageContaining("only 1 broker");
        assertThat(admin.listTopics().names().get()).doesNotContain(topic);
    }

    @Test
    void shouldLetIdempotentProducerWriteAtOnceWhenTopicsWereJustCreated() throws Exception {
        // Given: new topics, written to the moment ensure returns (see KafkaTopics on KAFKA-15591)
        List<String> topics = List.of(uniqueTopic("fresh"), uniqueTopic("fresh"), uniqueTopic("fresh"));
        KafkaTopics.ensure(admin, topics, 6, (short) 1, TIMEOUT);
        Map<String, Object> config = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            // A batch stuck on OUT_OF_ORDER_SEQUENCE_NUMBER then fails here instead of after 2 minutes.
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.LINGER_MS_CONFIG, 0);

        // When
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3_000; i++) {
                sends.add(producer.send(new ProducerRecord<>(topics.get(i % topics.size()), "key-" + i, "value-" + i)));
            }
            producer.flush();
        }

        // Then
        for (Future<RecordMetadata> send : sends) {
            assertThat(send.get().offset()).isNotNegative();
        }
    }

    @Test
    void shouldDoNothingWhenNoTopicsAreRequested() {
        // Given / When / Then
        assertThatCode(() -> KafkaTopics.ensure(admin, Set.of(), 6, (short) 1, TIMEOUT)).doesNotThrowAnyException();
    }

    private Map<String, Integer> partitionCounts(String... topics) throws ExecutionException, InterruptedException {
        Map<String, TopicDescription> descriptions = admin.describeTopics(List.of(topics)).allTopicNames().get();
        return descriptions.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions().size()));
    }
}
