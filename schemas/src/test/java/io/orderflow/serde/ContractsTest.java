package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class ContractsTest {

    @Test
    void shouldListEveryTopicAndStoreSchemaOnceWhenAskedForAll() {
        // When
        var names = Contracts.ALL.stream().map(Schema::getFullName).toList();

        // Then
        assertThat(names).doesNotHaveDuplicates().hasSize(17);
        assertThat(Contracts.TOPIC_SCHEMAS).allSatisfy(schema ->
                assertThat(schema.getNamespace()).isEqualTo("io.orderflow.contracts"));
        assertThat(Contracts.STATE_SCHEMAS).allSatisfy(schema ->
                assertThat(schema.getNamespace()).isEqualTo("io.orderflow.contracts.state"));
        assertThat(Contracts.ALL).containsAll(Contracts.TOPIC_SCHEMAS).containsAll(Contracts.STATE_SCHEMAS);
    }
}
