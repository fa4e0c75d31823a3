package io.orderflow.devtools.registry;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.state.Account;
import io.orderflow.devtools.embedded.ApicurioRegistry;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.HttpSchemaRegistry;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.serde.SchemaRegistryException;
import io.orderflow.serde.WireFormat;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.OrderflowTopology;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

import static io.orderflow.devtools.embedded.EmbeddedKafkaExtension.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The whole Orderflow topology ({@link TopologyTestDriver}) with {@code schema.registry.url} pointing at a real
 * registry (Apicurio's Confluent-compatible API): Avro ingress is read through it, a record whose schema id the
 * registry does not know is dead-lettered as UNREADABLE, and a registry that goes away fails the record — retried,
 * then a clear error — instead of dead-lettering it.
 */
class ApicurioIngressTopologyTest {
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldApplyAnAvroDepositWhenItsSchemaIdIsInTheRegistry(@TempDir Path state) {
        // Given a deposit written in the wire format by another process that registered its schema
        byte[] deposit = new AvroSerde<>(FundsDeposited.class, client()).serializer()
                .serialize(Topics.PAYMENT_DEPOSITS.name(), new FundsDeposited("d-1", "alice", 5_000L, "EUR"));

        try (Driver driver = new Driver(state, client())) {
            // When
            driver.deposit("alice", deposit);

            // Then
            Account account = driver.driver.<String, Account>getKeyValueStore(StoreNames.PAYMENT_ACCOUNTS).get("alice");
            assertThat(account.getBalance()).isEqualTo(5_000L);
            assertThat(driver.deadLetters.isEmpty()).isTrue();
        }
    }

    @Test
    void shouldDeadLetterAsUnreadableWhenTheRegistryDoesNotKnowTheSchemaId(@TempDir Path state) {
        try (Driver driver = new Driver(state, client())) {
            // Given a wire-format record whose schema id the registry has never given out
            byte[] unknown = {WireFormat.MAGIC_BYTE, 0, 0x0f, 0x42, 0x3f, 2, 'x'};

            // When
            driver.deposit("alice", unknown);

            // Then
            TestRecord<String, byte[]> letter = driver.deadLetters.readRecord();
            assertThat(header(letter, DeadLetters.REASON)).isEqualTo(Rejection.UNREADABLE);
            assertThat(header(letter, DeadLetters.TOPIC)).isEqualTo(Topics.PAYMENT_DEPOSITS.name());
            assertThat(header(letter, DeadLetters.MESSAGE))
                    .contains("schema id 999999")
                    .contains(REGISTRY.confluentUrl())
                    .contains("HTTP 404, error_code 40403");
            assertThat(letter.value()).isEqualTo(unknown);
        }
    }

    @Test
    void shouldRetryThenFailTheRecordWithoutDeadLetteringItWhenTheRegistryGoesAway(@TempDir Path state) {
        ApicurioRegistry registry = REGISTRY.registry();
        SchemaRegistry client = client();
        try (Driver driver = new Driver(state, client)) {
            // Given a running topology that has read a deposit through the registry
            AvroSerde<FundsDeposited> producer = new AvroSerde<>(FundsDeposited.class, client());
            driver.deposit("carol", producer.serializer().serialize(Topics.PAYMENT_DEPOSITS.name(),
                    new FundsDeposited("d-1", "carol", 700L, "EUR")));
            byte[] sameSchema = producer.serializer().serialize(Topics.PAYMENT_DEPOSITS.name(),
                    new FundsDeposited("d-2", "carol", 50L, "EUR"));
            // And a deposit written with an evolved schema that the topology has not seen yet
            int evolvedId = client().register(uniqueTopic("deposits") + "-value", DepositSchemas.WITH_NOTE);
            byte[] newSchema = DepositSchemas.wireFormat(evolvedId,
                    DepositSchemas.withNote(new FundsDeposited("d-3", "carol", 300L, "EUR"), "evolved"));

            // When the registry is killed
            registry.kill();

            // Then a record whose schema is cached is still read: the hot path needs no registry
            driver.deposit("carol", sameSchema);
            assertThat(driver.driver.<String, Account>getKeyValueStore(StoreNames.PAYMENT_ACCOUNTS).get("carol")
                    .getBalance()).isEqualTo(750L);
            // And one that needs the registry fails after the client's retries, naming the registry — the stream
            // thread fails (and is replaced, then reprocesses it) rather than dead-lettering a record that is fine
            Throwable thrown = catchThrowable(() -> driver.deposit("carol", newSchema));
            assertThat(thrown).isInstanceOf(StreamsException.class);
            assertThat(causeOfType(thrown, SchemaRegistryException.class))
                    .hasMessageStartingWith("cannot reach schema registry at " + REGISTRY.confluentUrl() + ": ")
                    .hasMessageContaining("while fetching schema id " + evolvedId)
                    .hasMessageEndingWith("after " + HttpSchemaRegistry.DEFAULT_MAX_ATTEMPTS + " attempt(s)");
            assertThat(driver.deadLetters.isEmpty()).isTrue();
            // And the client keeps failing fast and clearly while the registry is away, never hanging
            assertThatThrownBy(() -> client.register(uniqueTopic("deposits") + "-value", DepositSchemas.WITH_NOTE))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("cannot reach schema registry");
        } finally {
            if (!registry.alive()) {
                registry.restart();
            }
        }
        // And the same client works again once the registry is back (its in-memory storage starts empty)
        assertThat(client.register(uniqueTopic("deposits") + "-value", FundsDeposited.getClassSchema())).isPositive();
    }

    private static SchemaRegistry client() {
        return SchemaRegistry.fromUrl(REGISTRY.confluentUrl());
    }

    private static Throwable causeOfType(Throwable thrown, Class<? extends Throwable> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the causes of " + thrown, thrown);
    }

    private static String header(TestRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The full topology on one partition (no ingress re-keying), reading through {@code registry}. */
    private static final class Driver implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<String, byte[]> deposits;
        final TestOutputTopic<String, byte[]> deadLetters;

        Driver(Path state, SchemaRegistry registry) {
            Properties props = new Properties();
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "ttd:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
            props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, REGISTRY.confluentUrl());
            props.put(OrderflowConfig.PARTITIONS, "1");
            Properties streams = OrderflowConfig.streamsProperties(props);
            driver = new TopologyTestDriver(OrderflowTopology.build(OrderflowConfig.from(props), registry,
                    OrderflowMetrics.NONE, streams), streams, NOW);
            deposits = driver.createInputTopic(Topics.PAYMENT_DEPOSITS.name(), new StringSerializer(),
                    new ByteArraySerializer());
            deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new StringDeserializer(),
                    new ByteArrayDeserializer());
        }

        void deposit(String key, byte[] value) {
            deposits.pipeInput(new TestRecord<>(key, value, NOW));
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
