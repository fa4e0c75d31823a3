package io.orderflow.devtools.registry;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.serde.SchemaRegistryException;
import io.orderflow.serde.UnknownSchemaIdException;
import io.orderflow.serde.WireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.orderflow.devtools.embedded.EmbeddedKafkaExtension.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Orderflow's Schema Registry client and serde against a real registry that implements Confluent's REST API
 * (Apicurio Registry's {@code /apis/ccompat/v7}), not a server with hand-written answers. Each client is a fresh
 * {@link SchemaRegistry#fromUrl}, with empty caches, as a separate process would have.
 */
class ApicurioSchemaRegistryTest {
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final FundsDeposited DEPOSIT = new FundsDeposited("d-1", "alice", 1_250L, "EUR");

    @Test
    void shouldRegisterUnderTopicValueSubjectWhenSerializingForTheFirstTime() {
        // Given
        String topic = uniqueTopic("deposits");
        AvroSerde<FundsDeposited> serde = new AvroSerde<>(FundsDeposited.class, client());

        // When
        byte[] bytes = serde.serializer().serialize(topic, DEPOSIT);

        // Then the registry holds the schema under <topic>-value, with the id the record carries
        assertThat(REGISTRY.registry().subjects()).contains(topic + "-value");
        assertThat(client().schemaById(WireFormat.schemaId(bytes))).isEqualTo(FundsDeposited.getClassSchema());
    }

    @Test
    void shouldGetTheSameIdWhenTheSameSchemaIsRegisteredAgainByAnotherClient() {
        // Given
        String subject = uniqueTopic("deposits") + "-value";
        int first = client().register(subject, FundsDeposited.getClassSchema());

        // When
        int again = client().register(subject, FundsDeposited.getClassSchema());

        // Then
        assertThat(again).isEqualTo(first);
    }

    @Test
    void shouldReadTheRecordWhenAnotherProcessWroteItAndTheSchemaIsFetchedById() {
        // Given a record written by one process
        String topic = uniqueTopic("deposits");
        byte[] bytes = new AvroSerde<>(FundsDeposited.class, client()).serializer().serialize(topic, DEPOSIT);

        // When a second process, whose cache is empty, reads it
        FundsDeposited read = new AvroSerde<>(FundsDeposited.class, client()).deserializer().deserialize(topic, bytes);

        // Then
        assertThat(read).isEqualTo(DEPOSIT);
    }

    @Test
    void shouldGetANewIdAndStillReadTheRecordWhenTheEvolvedSchemaIsBackwardCompatible() {
        // Given a subject that enforces BACKWARD compatibility, holding today's schema
        String topic = uniqueTopic("deposits");
        String subject = topic + "-value";
        REGISTRY.registry().setCompatibility(subject, "BACKWARD");
        int v1 = client().register(subject, FundsDeposited.getClassSchema());

        // When another producer registers an evolved schema (a new optional field) and writes with it
        int v2 = client().register(subject, DepositSchemas.WITH_NOTE);
        byte[] bytes = DepositSchemas.wireFormat(v2, DepositSchemas.withNote(DEPOSIT, "from a newer producer"));

        // Then it has a new id, and today's reader resolves the evolved schema it fetches by that id
        assertThat(v2).isNotEqualTo(v1);
        FundsDeposited read = new AvroSerde<>(FundsDeposited.class, client()).deserializer().deserialize(topic, bytes);
        assertThat(read).isEqualTo(DEPOSIT);
    }

    @Test
    void shouldRefuseWith409NamingTheSubjectWhenTheEvolvedSchemaIsIncompatible() {
        // Given a subject that enforces BACKWARD compatibility, holding today's schema
        String subject = uniqueTopic("deposits") + "-value";
        REGISTRY.registry().setCompatibility(subject, "BACKWARD");
        client().register(subject, FundsDeposited.getClassSchema());
        SchemaRegistry client = client();

        // When / Then: a required field without a default cannot read what was written before
        assertThatThrownBy(() -> client.register(subject, DepositSchemas.WITH_REQUIRED_CHANNEL))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("registering io.orderflow.contracts.FundsDeposited under subject '" + subject + "'")
                .hasMessageContaining("the schema is incompatible with an earlier version under this subject")
                .hasMessageContaining("HTTP 409")
                // Apicurio's own explanation names the offending field
                .hasMessageContaining("channel");
    }

    @Test
    void shouldFailAsAnUnknownSchemaWhenNoSchemaHasTheId() {
        // Given
        SchemaRegistry client = client();

        // When / Then: the registry's own "schema not found" (40403), not an outage
        assertThatThrownBy(() -> client.schemaById(987_654))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessageContaining("schema id 987654")
                .hasMessageContaining("HTTP 404, error_code 40403");
    }

    private static SchemaRegistry client() {
        return SchemaRegistry.fromUrl(REGISTRY.confluentUrl());
    }
}
