package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.StockAdjusted;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class LocalSchemaRegistryTest {

    private static final Schema EXTRA = new Schema.Parser().parse("""
            {"type":"record","name":"Extra","namespace":"io.orderflow.test","fields":[
              {"name":"value","type":"string"}]}""");

    @Test
    void shouldGiveSameIdWhenTwoInstancesRegisterTheSameSchema() {
        // Given
        LocalSchemaRegistry first = new LocalSchemaRegistry();
        LocalSchemaRegistry second = new LocalSchemaRegistry();

        // When
        int firstId = first.register("payment.deposits-value", FundsDeposited.getClassSchema());
        int secondId = second.register("any-subject", new Schema.Parser().parse(FundsDeposited.getClassSchema().toString()));

        // Then
        assertThat(firstId).isEqualTo(secondId).isEqualTo(LocalSchemaRegistry.fingerprintId(FundsDeposited.getClassSchema()));
        assertThat(second.schemaById(firstId)).isEqualTo(FundsDeposited.getClassSchema());
    }

    @Test
    void shouldReadRecordsWrittenWithEveryReleasedSchemaWhenNothingWasRegistered() throws Exception {
        // Given records as earlier builds wrote them: every released schema, random data, the wire format
        List<ReleasedSchemas.Released> released = ReleasedSchemas.all();
        assertThat(released).extracting(ReleasedSchemas.Released::version).contains(1, 2, 3, 4, 5);
        // (every contract was released once: in release 1, or when it first appeared)
        assertThat(released.stream().map(r -> r.schema().getFullName()).distinct()).hasSize(Contracts.ALL.size());
        LocalSchemaRegistry registry = new LocalSchemaRegistry();

        for (ReleasedSchemas.Released old : released) {
            Object datum = new org.apache.avro.util.RandomData(old.schema(), 1, 42L).iterator().next();
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            bytes.write(0);
            bytes.write(java.nio.ByteBuffer.allocate(4).putInt(LocalSchemaRegistry.fingerprintId(old.schema()))
                    .array());
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get()
                    .binaryEncoder(bytes, null);
            new org.apache.avro.generic.GenericDatumWriter<Object>(old.schema()).write(datum, encoder);
            encoder.flush();
            @SuppressWarnings("unchecked")
            Class<org.apache.avro.specific.SpecificRecord> type = (Class<org.apache.avro.specific.SpecificRecord>)
                    org.apache.avro.specific.SpecificData.get().getClass(old.schema());

            // When this build reads it through the local: registry
            org.apache.avro.specific.SpecificRecord read;
            try (AvroSerde<org.apache.avro.specific.SpecificRecord> serde = new AvroSerde<>(type, registry)) {
                read = serde.deserializer().deserialize("t", bytes.toByteArray());
            }

            // Then it is read, every field the old schema had (nested ones too) carrying its value: written back
            // with the current schema and read with the old one, it is the record that was written
            assertThat(read).as(old.version() + "/" + old.schema().getFullName()).isNotNull();
            assertThat(asWrittenWith(old.schema(), read)).as(old.version() + "/" + old.schema().getFullName())
                    .isEqualTo(datum);
        }
    }

    /** {@code value} projected onto {@code schema}: encoded with its own schema, decoded with {@code schema}. */
    private static Object asWrittenWith(Schema schema, org.apache.avro.specific.SpecificRecord value)
            throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<Object>(value.getSchema()).write(value, encoder);
        encoder.flush();
        return new org.apache.avro.generic.GenericDatumReader<Object>(value.getSchema(), schema)
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    @Test
    void shouldKnowEveryContractWhenNothingWasRegistered() {
        // Given
        LocalSchemaRegistry registry = new LocalSchemaRegistry();

        // When
        Set<Integer> ids = Contracts.ALL.stream().map(LocalSchemaRegistry::fingerprintId).collect(Collectors.toSet());

        // Then
        assertThat(ids).hasSize(Contracts.ALL.size()).allSatisfy(id -> assertThat(id).isNotNegative());
        for (Schema schema : Contracts.ALL) {
            assertThat(registry.schemaById(LocalSchemaRegistry.fingerprintId(schema))).isEqualTo(schema);
        }
    }

    @Test
    void shouldReturnNewSchemaByIdWhenRegistered() {
        // Given
        LocalSchemaRegistry registry = new LocalSchemaRegistry();

        // When
        int id = registry.register("extra-value", EXTRA);

        // Then
        assertThat(registry.schemaById(id)).isEqualTo(EXTRA);
        assertThat(new LocalSchemaRegistry().register("elsewhere", EXTRA)).isEqualTo(id);
    }

    @Test
    void shouldFailWhenSchemaIdIsUnknown() {
        // Given
        LocalSchemaRegistry registry = new LocalSchemaRegistry();
        int unknown = LocalSchemaRegistry.fingerprintId(EXTRA);

        // When / Then
        assertThatThrownBy(() -> registry.schemaById(unknown))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageStartingWith("unknown schema id " + unknown + " ");
    }

    @Test
    void shouldFailAtConstructionNamingBothWhenKnownSchemasCollide() {
        // Given an id function that folds everything to one id

        // When / Then
        assertThatThrownBy(() -> new LocalSchemaRegistry(schema -> 7,
                List.of(FundsDeposited.getClassSchema(), StockAdjusted.getClassSchema())))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("collision")
                .hasMessageContaining("io.orderflow.contracts.FundsDeposited")
                .hasMessageContaining("io.orderflow.contracts.StockAdjusted")
                .hasMessageContaining("id 7");
    }

    @Test
    void shouldFailAtRegisterNamingBothWhenNewSchemaCollidesWithKnownOne() {
        // Given
        LocalSchemaRegistry registry = new LocalSchemaRegistry(schema -> 7, List.of(FundsDeposited.getClassSchema()));

        // When / Then
        assertThatThrownBy(() -> registry.register("extra-value", EXTRA))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("io.orderflow.test.Extra")
                .hasMessageContaining("io.orderflow.contracts.FundsDeposited");
        assertThat(registry.schemaById(7)).isEqualTo(FundsDeposited.getClassSchema());
    }

    @Test
    void shouldNotTreatSameCanonicalFormAsCollisionWhenOnlyDocsDiffer() {
        // Given the same schema with different documentation, which has the same parsing form
        LocalSchemaRegistry registry = new LocalSchemaRegistry(schema -> 7, List.of(EXTRA));
        Schema documented = new Schema.Parser().parse("""
                {"type":"record","name":"Extra","namespace":"io.orderflow.test","doc":"documented","fields":[
                  {"name":"value","type":"string","doc":"the value"}]}""");

        // When
        int id = registry.register("extra-value", documented);

        // Then
        assertThat(id).isEqualTo(7);
    }

    @Test
    void shouldShareOneInstanceWhenAskedForTheJvmWideRegistry() {
        // When / Then
        assertThat(LocalSchemaRegistry.instance()).isSameAs(LocalSchemaRegistry.instance());
        assertThat(SchemaRegistry.fromUrl("local:")).isSameAs(LocalSchemaRegistry.instance());
        assertThat(SchemaRegistry.fromUrl("local:demo")).isSameAs(LocalSchemaRegistry.instance());
    }
}
