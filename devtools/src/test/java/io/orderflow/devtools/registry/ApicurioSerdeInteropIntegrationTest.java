package io.orderflow.devtools.registry;

import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.serde.WireFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.orderflow.devtools.embedded.EmbeddedKafkaExtension.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Orderflow's wire format against an independent implementation: Apicurio's own Kafka serde (3.x), on a real
 * broker and a real registry. Apicurio's serde talks to the registry through its own API (v2 here) and writes
 * the 4-byte content id, which is the id Apicurio's Confluent-compatible API gives out: the same format,
 * the same ids. Each side reads what the other wrote.
 */
class ApicurioSerdeInteropIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<FundsDeposited> DEPOSITS = List.of(
            new FundsDeposited("d-1", "alice", 1_250L, "EUR"),
            new FundsDeposited(null, "bob", 99L, "USD"),
            new FundsDeposited("d-3", "carol", 1L, "EUR"));

    @Test
    void shouldReadWithApicuriosDeserializerWhatOrderflowsSerdeWrote() throws Exception {
        // Given
        String topic = createTopic("orderflow-wrote");
        Serializer<FundsDeposited> orderflow = new AvroSerde<>(FundsDeposited.class, orderflowRegistry()).serializer();

        // When
        produce(topic, orderflow);

        // Then
        try (AvroKafkaDeserializer<FundsDeposited> apicurio = new AvroKafkaDeserializer<>()) {
            apicurio.configure(apicurioConfig(), false);
            assertThat(values(readAll(topic), apicurio, topic)).containsExactlyElementsOf(DEPOSITS);
        }
    }

    @Test
    void shouldReadWithOrderflowsSerdeWhatApicuriosSerializerWrote() throws Exception {
        // Given
        String topic = createTopic("apicurio-wrote");
        try (AvroKafkaSerializer<FundsDeposited> apicurio = new AvroKafkaSerializer<>()) {
            apicurio.configure(apicurioConfig(), false);

            // When
            produce(topic, apicurio);
        }

        // Then every record is in the wire format, under an id the Confluent-compatible API knows for <topic>-value
        List<byte[]> records = readAll(topic);
        assertThat(records).allSatisfy(bytes -> assertThat(WireFormat.isWireFormat(bytes)).isTrue());
        assertThat(REGISTRY.registry().subjects()).contains(topic + "-value");
        assertThat(orderflowRegistry().schemaById(WireFormat.schemaId(records.get(0))))
                .isEqualTo(FundsDeposited.getClassSchema());
        // And Orderflow's deserializer, in a process of its own, reads them
        Deserializer<FundsDeposited> orderflow = new AvroSerde<>(FundsDeposited.class, orderflowRegistry())
                .deserializer();
        assertThat(values(records, orderflow, topic)).containsExactlyElementsOf(DEPOSITS);
    }

    /** Orderflow's client, fresh each time: no cache shared with a writer in this JVM. */
    private static SchemaRegistry orderflowRegistry() {
        return SchemaRegistry.fromUrl(REGISTRY.confluentUrl());
    }

    /**
     * Apicurio's serde the way a Confluent-compatible setup needs it: the id in the payload, not in headers
     * (the default), as the 4-byte content id (the default id handler and id option, named here on purpose),
     * a subject per topic ({@code <topic>-value}, its TopicIdStrategy), registered on first use.
     */
    private static Map<String, Object> apicurioConfig() {
        return Map.of(
                SchemaResolverConfig.REGISTRY_URL, REGISTRY.registry().coreV2Url(),
                SchemaResolverConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.ID_HANDLER, Default4ByteIdHandler.class.getName(),
                SerdeConfig.USE_ID, IdOption.contentId.name(),
                AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    }

    private static String createTopic(String prefix) throws Exception {
        String topic = uniqueTopic(prefix);
        try (Admin admin = KAFKA.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static void produce(String topic, Serializer<FundsDeposited> values) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, FundsDeposited> producer = new KafkaProducer<>(config, new StringSerializer(),
                values)) {
            for (FundsDeposited deposit : DEPOSITS) {
                producer.send(new ProducerRecord<>(topic, deposit.getCustomerId(), deposit)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The raw values of {@code topic}, in order, once all {@link #DEPOSITS} are there. */
    private static List<byte[]> readAll(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<byte[]> values = new ArrayList<>();
            await().atMost(WAIT).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
                return values.size() >= DEPOSITS.size();
            });
            return values;
        }
    }

    private static List<FundsDeposited> values(List<byte[]> records, Deserializer<FundsDeposited> deserializer,
                                               String topic) {
        return records.stream().map(bytes -> deserializer.deserialize(topic, bytes)).toList();
    }
}
