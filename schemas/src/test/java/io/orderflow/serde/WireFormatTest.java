package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void shouldReadBigEndianIdWhenHeaderIsPresent() {
        // Given
        byte[] record = {0, (byte) 0x81, 0x02, 0x03, 0x04, 42};

        // When
        int id = WireFormat.schemaId(record);

        // Then
        assertThat(WireFormat.isWireFormat(record)).isTrue();
        assertThat(id).isEqualTo(0x81020304);
    }

    @Test
    void shouldWriteHeaderThatReadsBackWhenIdUsesAllBits() {
        // Given
        byte[] record = new byte[WireFormat.HEADER_SIZE];

        // When
        WireFormat.writeHeader(record, 0x7fff_fffe);

        // Then
        assertThat(WireFormat.schemaId(record)).isEqualTo(0x7fff_fffe);
    }

    @Test
    void shouldNotBeWireFormatWhenTooShortOrMagicByteIsWrong() {
        // When / Then
        assertThat(WireFormat.isWireFormat(null)).isFalse();
        assertThat(WireFormat.isWireFormat(new byte[] {0, 0, 0, 1})).isFalse();
        assertThat(WireFormat.isWireFormat(new byte[] {1, 0, 0, 0, 1})).isFalse();
        assertThat(WireFormat.isWireFormat(new byte[] {0, 0, 0, 0, 1})).isTrue();
        assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {'{', 0, 0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("first byte is 0x7b ('{')");
    }
}
