package io.orderflow.crypto;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldCipherTest {
    private static final String KEY_A = KeyRing.newKey();
    private static final String KEY_B = KeyRing.newKey();

    @Test
    void shouldOpenWhatItSealedWhenTheContextIsTheSame() {
        // Given a ring with one key
        FieldCipher cipher = new FieldCipher(ring("a", "a", KEY_A, null, null));

        // When a note is sealed for an order
        String sealed = cipher.seal("Ring twice — 2nd floor", "o-1");

        // Then the sealed text shows neither the note nor the same bytes twice, names its key, and opens again
        assertThat(sealed).startsWith("ofenc:v1:a:").doesNotContain("Ring");
        assertThat(cipher.seal("Ring twice — 2nd floor", "o-1")).isNotEqualTo(sealed);
        assertThat(cipher.open(sealed, "o-1")).isEqualTo("Ring twice — 2nd floor");
        assertThat(cipher.seal(null, "o-1")).isNull();
    }

    @Test
    void shouldOpenValuesOfAnOldKeyWhenTheActiveKeyRotated() {
        // Given a value sealed under key a, then a ring where b is active and a is kept
        String old = new FieldCipher(ring("a", "a", KEY_A, null, null)).seal("old note", "o-1");
        FieldCipher rotated = new FieldCipher(ring("b", "a", KEY_A, "b", KEY_B));

        // Then the old value opens, and new values are sealed under b
        assertThat(rotated.open(old, "o-1")).isEqualTo("old note");
        assertThat(rotated.seal("new note", "o-2")).startsWith("ofenc:v1:b:");
    }

    @Test
    void shouldRefuseWhenTheValueWasAlteredMovedOrItsKeyDropped() {
        FieldCipher cipher = new FieldCipher(ring("a", "a", KEY_A, null, null));
        String sealed = cipher.seal("note", "o-1");
        char last = sealed.charAt(sealed.length() - 2);
        String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A')
                + sealed.charAt(sealed.length() - 1);

        assertThatThrownBy(() -> cipher.open(sealed, "o-2")).hasMessage("a value sealed with key 'a' does not open "
                + "for 'o-2': altered, or sealed for another record");
        assertThatThrownBy(() -> cipher.open(altered, "o-1")).hasMessageContaining("does not open");
        assertThatThrownBy(() -> new FieldCipher(ring("b", "b", KEY_B, null, null)).open(sealed, "o-1"))
                .hasMessage("a value is sealed with key 'a', which test keys does not hold: keep every key while data "
                        + "sealed with it is kept");
        assertThat(cipher.open("plain, written before encryption", "o-1"))
                .isEqualTo("plain, written before encryption");
    }

    @Test
    void shouldRefuseAKeysFileWhenItIsMalformed() {
        Properties noActive = new Properties();
        noActive.put("key.a", KEY_A);
        Properties shortKey = new Properties();
        shortKey.put("active", "a");
        shortKey.put("key.a", "c2hvcnQ=");
        Properties missing = new Properties();
        missing.put("active", "b");
        missing.put("key.a", KEY_A);

        assertThatThrownBy(() -> KeyRing.of(noActive, "f")).hasMessage("f: no 'active' key id");
        assertThatThrownBy(() -> KeyRing.of(shortKey, "f")).hasMessage("f: key.a must be 32 bytes (AES-256), was 5");
        assertThatThrownBy(() -> KeyRing.of(missing, "f")).hasMessage("f: the active key 'b' has no key.b");
        assertThat(KeyRing.of(load(KeyRing.newFile("k1")), "f").activeId()).isEqualTo("k1");
    }

    private static KeyRing ring(String active, String idA, String keyA, String idB, String keyB) {
        Properties properties = new Properties();
        properties.put("active", active);
        properties.put("key." + idA, keyA);
        if (idB != null) {
            properties.put("key." + idB, keyB);
        }
        return KeyRing.of(properties, "test keys");
    }

    private static Properties load(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new java.io.StringReader(text));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return properties;
    }
}
