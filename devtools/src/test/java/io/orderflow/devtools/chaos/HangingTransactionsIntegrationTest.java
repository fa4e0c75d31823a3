package io.orderflow.devtools.chaos;

import io.orderflow.devtools.embedded.KafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hanging-transaction check on a real broker, run with Kafka's own tool: it passes when every transaction was
 * committed, and fails, naming the partition, for a real hanging transaction — one its coordinator has forgotten.
 * That is made the way it happens in the wild: a transaction is left open on a partition, and the transaction
 * coordinator's state (the {@code __transaction_state} log) is lost while the broker is down.
 */
class HangingTransactionsIntegrationTest {
    private static final String TOPIC = "hanging-test";

    @Test
    void shouldFindNoneWhenEveryTransactionEndedAndFindOneTheCoordinatorForgot() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(1)) {
            String bootstrap = cluster.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }

            // Given a transaction that was committed
            try (KafkaProducer<String, String> producer = producer(bootstrap, "committed")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TOPIC, "k", "committed")).get();
                producer.commitTransaction();
            }

            // Then Kafka's finder finds nothing hanging
            HangingTransactions clean = HangingTransactions.find(bootstrap, cluster.nodeIds());
            assertThat(clean.ok()).as(clean.toString()).isTrue();
            assertThat(clean.toString()).isEqualTo("none (Kafka's TransactionsCommand find-hanging on brokers 1)");

            // Given a transaction left open on the partition, and the coordinator's state lost while the broker
            // was down
            KafkaProducer<String, String> open = producer(bootstrap, "left-open");
            open.initTransactions();
            open.beginTransaction();
            open.send(new ProducerRecord<>(TOPIC, "k", "never committed")).get();
            cluster.kill(0);
            open.close(Duration.ZERO);
            deleteTransactionStateLog(cluster.logDir(0));
            cluster.restart(0);

            // Then the finder reports it, naming the topic and partition
            HangingTransactions found = HangingTransactions.find(bootstrap, cluster.nodeIds());
            assertThat(found.ok()).as(found.toString()).isFalse();
            assertThat(found.failure()).isNull();
            assertThat(found.hanging()).singleElement().asString().startsWith("broker 1: " + TOPIC + " 0 ");
            assertThat(found.check().summary()).startsWith("1 hanging (Kafka's TransactionsCommand find-hanging");
        }
    }

    @Test
    void shouldReadTheToolsTableAndRefuseOtherOutput() {
        String table = "Topic       \tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\t"
                + "LastTimestamp\tDuration(min)\t\nt\t0\t7\t0\t-1\t3\t1733390000000\t2\t\n";
        assertThat(HangingTransactions.rows(table)).containsExactly("t 0 7 0 -1 3 1733390000000 2");
        assertThat(HangingTransactions.rows("Topic\tPartition\tProducerId\n")).isEmpty();
        assertThat(HangingTransactions.rows("Failed to list topics: timed out")).isNull();
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        // Long enough that the coordinator does not abort it before its state is lost.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static void deleteTransactionStateLog(Path logDir) throws IOException {
        try (Stream<Path> partitions = Files.list(logDir)) {
            for (Path partition : partitions.filter(p -> p.getFileName().toString().startsWith("__transaction_state-"))
                    .toList()) {
                try (Stream<Path> files = Files.walk(partition)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
        }
    }
}
