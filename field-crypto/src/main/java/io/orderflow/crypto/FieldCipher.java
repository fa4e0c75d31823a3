package io.orderflow.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Seals a text field with AES-256-GCM under the ring's active key, and opens what any key of the ring sealed. A
 * sealed value is text, so it fits the column and the JSON it replaces:
 * {@code ofenc:v1:<key id>:<base64url of 12-byte nonce, ciphertext and 16-byte tag>}. The key id travels with the
 * value, so values sealed before a rotation still open. The {@code context} (the order id) is authenticated with
 * it: a sealed note copied onto another order does not open. Nonces are random; rotate keys well before 2^32
 * values per key.
 */
public final class FieldCipher {
    /** What every sealed value starts with. */
    public static final String PREFIX = "ofenc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final KeyRing ring;
    private final SecureRandom random = new SecureRandom();

    public FieldCipher(KeyRing ring) {
        this.ring = ring;
    }

    /** Whether {@code value} is a sealed value (of any version this class knows). */
    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** {@code plaintext} sealed under the active key, bound to {@code context}; null stays null. */
    public String seal(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, ring.active(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + ring.activeId() + ":" + ENCODER.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal with AES-256-GCM: " + e.getMessage(), e);
        }
    }

    /**
     * The text {@code sealed} holds, checked against {@code context}; a value that is not sealed is returned as it
     * is (written before encryption was turned on, or by a producer that does not seal).
     *
     * @throws IllegalStateException the key is not in the ring, or the value was altered or belongs elsewhere
     */
    public String open(String sealed, String context) {
        if (!isSealed(sealed)) {
            return sealed;
        }
        String rest = sealed.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException("a sealed value has no key id");
        }
        String keyId = rest.substring(0, colon);
        byte[] bytes;
        try {
            bytes = DECODER.decode(rest.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a value sealed with key '" + keyId + "' is not base64url");
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("a value sealed with key '" + keyId + "' is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, ring.key(keyId), new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("a value sealed with key '" + keyId + "' does not open for '" + context
                    + "': altered, or sealed for another record");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open with AES-256-GCM: " + e.getMessage(), e);
        }
    }
}
