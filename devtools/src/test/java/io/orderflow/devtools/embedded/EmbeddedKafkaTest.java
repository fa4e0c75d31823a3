package io.orderflow.devtools.embedded;

import io.orderflow.server.runtime.KafkaTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.orderflow.devtools.embedded.EmbeddedKafkaExtension.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class EmbeddedKafkaTest {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void shouldDeliverRecordsToGroupConsumerWhenProduced() throws Exception {
        // Given
        String topic = uniqueTopic("plain");
        ensureTopic(KAFKA.bootstrapServers(), topic, 3);

        // When
        try (KafkaProducer<String, String> producer = TestClients.producer(KAFKA.bootstrapServers())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)).get();
            }
        }

        // Then
        try (KafkaConsumer<String, String> consumer =
                 TestClients.consumer(KAFKA.bootstrapServers(), uniqueTopic("group"), IsolationLevel.READ_UNCOMMITTED)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = TestClients.poll(consumer, 5);
            assertThat(records)
                .extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactlyInAnyOrder(
                    tuple("key-0", "value-0"),
                    tuple("key-1", "value-1"),
                    tuple("key-2", "value-2"),
                    tuple("key-3", "value-3"),
                    tuple("key-4", "value-4"));
            // Committing proves the group coordinator (and __consumer_offsets with one replica) works.
            assertThatCode(consumer::commitSync).doesNotThrowAnyException();
        }
    }

    @Test
    void shouldShowOnlyCommittedRecordsToReadCommittedConsumerWhenATransactionAborts() {
        // Given
        String topic = uniqueTopic("transactional");
        ensureTopic(KAFKA.bootstrapServers(), topic, 1);

        // When
        try (KafkaProducer<String, String> producer =
                 TestClients.transactionalProducer(KAFKA.bootstrapServers(), uniqueTopic("tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "o1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "o1", "committed-2"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "o2", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "o2", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "o3", "committed-3"));
            producer.commitTransaction();
        }

        // Then: the last commit comes after the abort, so having read it means the aborted records were skipped.
        assertThat(TestClients.readValues(KAFKA.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED, 3))
            .containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(TestClients.readValues(KAFKA.bootstrapServers(), topic, IsolationLevel.READ_UNCOMMITTED, 5))
            .containsExactly("committed-1", "committed-2", "aborted-1", "aborted-2", "committed-3");
    }

    @Test
    void shouldKeepTopicsAndRecordsWhenRestartedWithSameDataDir(@TempDir Path dataDir) throws Exception {
        // Given
        String topic = uniqueTopic("durable");
        try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dataDir).start()) {
            ensureTopic(first.bootstrapServers(), topic, 2);
            try (KafkaProducer<String, String> producer = TestClients.producer(first.bootstrapServers())) {
                producer.send(new ProducerRecord<>(topic, "a", "before-restart-1")).get();
                producer.send(new ProducerRecord<>(topic, "a", "before-restart-2")).get();
            }
        }
        assertThat(dataDir.resolve(EmbeddedKafka.LOG_DIR_NAME).resolve("meta.properties")).exists();

        // When
        try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dataDir).start()) {

            // Then
            assertThat(second.dataDir()).isEqualTo(dataDir);
            assertThat(TestClients.readValues(second.bootstrapServers(), topic, IsolationLevel.READ_COMMITTED, 2))
                .containsExactly("before-restart-1", "before-restart-2");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", second.bootstrapServers()))) {
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(2);
            }
        }
    }

    @Test
    void shouldFailWithClearMessageWhenClientPortIsAlreadyInUse() {
        // Given
        int takenPort = portOf(KAFKA.bootstrapServers());

        // When / Then
        assertThatThrownBy(() -> EmbeddedKafka.builder().port(takenPort).start())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("port " + takenPort + " is already in use");
    }

    @Test
    void shouldFailWithClearMessageWhenControllerPortIsAlreadyInUse() throws Exception {
        // Given
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName(EmbeddedKafka.HOST))) {
            int takenPort = taken.getLocalPort();

            // When / Then
            assertThatThrownBy(() -> EmbeddedKafka.builder().controllerPort(takenPort).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("port " + takenPort + " is already in use");
        }
    }

    @Test
    void shouldDeleteItsTempDirWhenClosed() {
        // Given
        EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        Path dataDir = kafka.dataDir();
        assertThat(dataDir.resolve(EmbeddedKafka.LOG_DIR_NAME).resolve("meta.properties")).exists();

        // When
        kafka.close();

        // Then
        assertThat(Files.exists(dataDir)).isFalse();
        assertThatCode(kafka::close).doesNotThrowAnyException();
    }

    @Test
    void shouldRejectOverrideOfDerivedSettingWhenConfiguringBroker() {
        // Given
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder();

        // When / Then
        assertThatThrownBy(() -> builder.brokerConfig("listeners", "PLAINTEXT://0.0.0.0:9092"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("listeners");
    }

    @Test
    void shouldFailWithKafkasReasonAndKeepNoTempDirWhenOverrideIsInvalid(@TempDir Path dataDir) {
        // Given
        EmbeddedKafka.Builder builder = EmbeddedKafka.builder().dataDir(dataDir).brokerConfig("num.partitions", "many");

        // When / Then
        assertThatThrownBy(builder::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("num.partitions");
        assertThat(dataDir.resolve(EmbeddedKafka.LOG_DIR_NAME)).doesNotExist();
    }

    private static void ensureTopic(String bootstrapServers, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            KafkaTopics.ensure(admin, List.of(topic), partitions, (short) 1, TIMEOUT);
        }
    }

    private static int portOf(String bootstrapServers) {
        return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    }
}
