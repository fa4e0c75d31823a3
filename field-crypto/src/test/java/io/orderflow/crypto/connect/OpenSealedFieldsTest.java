package io.orderflow.crypto.connect;

import io.orderflow.crypto.FieldCipher;
import io.orderflow.crypto.KeyRing;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transform on its own, on records shaped as Debezium's EventRouter leaves them (text value). */
class OpenSealedFieldsTest {

    @Test
    void shouldOpenTheSealedNoteWhenTheKeysFileHoldsItsKey(@TempDir Path dir) throws Exception {
        // Given the intake's keys file and an event whose note it sealed
        Path keys = Files.writeString(dir.resolve("keys"), KeyRing.newFile("k1"));
        String sealed = new FieldCipher(KeyRing.load(keys)).seal("Ring \"twice\"", "o-1");
        OpenSealedFields<SourceRecord> open = new OpenSealedFields<>();
        open.configure(Map.of(OpenSealedFields.KEYS_FILE, keys.toString()));

        // When the transform sees it
        SourceRecord out = open.apply(record("{\"type\":\"OrderPlaced\",\"orderId\":\"o-1\",\"note\":\"" + sealed
                + "\",\"lines\":[]}"));

        // Then the note is plain again, the rest as it was, key and headers kept
        assertThat(out.value()).isEqualTo("{\"type\":\"OrderPlaced\",\"orderId\":\"o-1\",\"note\":\"Ring \\\"twice\\\"\","
                + "\"lines\":[]}");
        assertThat(out.key()).isEqualTo("o-1");
        assertThat(out.headers().lastWithName("eventType").value()).isEqualTo("OrderPlaced");
    }

    @Test
    void shouldPassRecordsUnchangedWhenNothingInThemIsSealed() {
        OpenSealedFields<SourceRecord> open = new OpenSealedFields<>();
        open.configure(Map.of());
        SourceRecord plain = record("{\"type\":\"OrderPlaced\",\"orderId\":\"o-1\",\"note\":\"plain\"}");

        assertThat(open.apply(plain)).isSameAs(plain);
    }

    @Test
    void shouldFailTheTaskWhenASealedNoteCannotBeOpened(@TempDir Path dir) throws Exception {
        // Given a note sealed under a key, and transforms without keys or with another key
        Path keys = Files.writeString(dir.resolve("keys"), KeyRing.newFile("k1"));
        Path other = Files.writeString(dir.resolve("other"), KeyRing.newFile("k2"));
        String sealed = new FieldCipher(KeyRing.load(keys)).seal("note", "o-1");
        SourceRecord record = record("{\"orderId\":\"o-1\",\"note\":\"" + sealed + "\"}");
        OpenSealedFields<SourceRecord> withoutKeys = new OpenSealedFields<>();
        withoutKeys.configure(Map.of());
        OpenSealedFields<SourceRecord> withOtherKeys = new OpenSealedFields<>();
        withOtherKeys.configure(Map.of(OpenSealedFields.KEYS_FILE, other.toString()));

        // Then each fails with the reason: never published sealed, never dropped
        assertThatThrownBy(() -> withoutKeys.apply(record)).isInstanceOf(DataException.class)
                .hasMessage("field 'note' of the event keyed o-1 is sealed, but keys.file is not set on this "
                        + "transform: give it the intake's keys file");
        assertThatThrownBy(() -> withOtherKeys.apply(record)).isInstanceOf(DataException.class)
                .hasMessageContaining("sealed with key 'k1', which " + other + " does not hold");
    }

    private static SourceRecord record(String value) {
        SourceRecord record = new SourceRecord(Map.of(), Map.of(), "order.events", null, Schema.STRING_SCHEMA, "o-1",
                Schema.OPTIONAL_STRING_SCHEMA, value);
        record.headers().addString("eventType", "OrderPlaced");
        return record;
    }
}
