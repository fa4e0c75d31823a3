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
