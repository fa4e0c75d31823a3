package io.orderflow.crypto;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The AES-256 keys personal data is sealed with, read from a file: every key by its id, and which one seals new
 * values. Old keys stay in the file as long as anything sealed with them may still be read — outbox rows not yet
 * published, order rows kept — so rotating is adding a key and making it the active one.
 *
 * <pre>
 * # active seals new values; key.&lt;id&gt; is the base64 of 32 random bytes
 * active=2026-12
 * key.2026-11=…
 * key.2026-12=…
 * </pre>
 */
public final class KeyRing {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,40}");
    private static final int KEY_BYTES = 32;

    private final String activeId;
    private final Map<String, SecretKey> keys;
    private final String source;

    private KeyRing(String activeId, Map<String, SecretKey> keys, String source) {
        this.activeId = activeId;
        this.keys = Collections.unmodifiableMap(keys);
        this.source = source;
    }

    /** Reads {@code file}; a missing file, a malformed key or an active id without its key is refused, naming it. */
    public static KeyRing load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the encryption keys file " + file + ": " + e.getMessage(), e);
        }
        return of(properties, file.toString());
    }

    /** The keys of {@code properties} (the file's format); {@code source} names them in messages. */
    public static KeyRing of(Properties properties, String source) {
        Map<String, SecretKey> keys = new TreeMap<>();
        String active = null;
        for (String name : properties.stringPropertyNames()) {
            String value = properties.getProperty(name).trim();
            if (name.equals("active")) {
                active = value;
            } else if (name.startsWith("key.")) {
                String id = name.substring("key.".length());
                if (!ID.matcher(id).matches()) {
                    throw new IllegalArgumentException(source + ": key id '" + id + "' must be 1-40 letters, digits, "
                            + "'.', '_' or '-'");
                }
                keys.put(id, decode(id, value, source));
            } else {
                throw new IllegalArgumentException(source + ": unknown entry '" + name + "' (expected active or "
                        + "key.<id>)");
            }
        }
        if (active == null || active.isEmpty()) {
            throw new IllegalArgumentException(source + ": no 'active' key id");
        }
        if (!keys.containsKey(active)) {
            throw new IllegalArgumentException(source + ": the active key '" + active + "' has no key." + active);
        }
        return new KeyRing(active, keys, source);
    }

    /** A new key file's text: one fresh random key, active. */
    public static String newFile(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("key id '" + id + "' must be 1-40 letters, digits, '.', '_' or '-'");
        }
        return "# Orderflow field encryption keys: active seals new values; keep old keys while data sealed with them "
                + "is kept\nactive=" + id + "\nkey." + id + "=" + newKey() + "\n";
    }

    /** The base64 of 32 random bytes: a new key. */
    public static String newKey() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public String activeId() {
        return activeId;
    }

    SecretKey active() {
        return keys.get(activeId);
    }

    /** The key {@code id}; one the ring does not hold is refused, saying where the keys come from. */
    SecretKey key(String id) {
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new IllegalStateException("a value is sealed with key '" + id + "', which " + source
                    + " does not hold: keep every key while data sealed with it is kept");
        }
        return key;
    }

    private static SecretKey decode(String id, String base64, String source) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": key." + id + " is not base64");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException(source + ": key." + id + " must be " + KEY_BYTES + " bytes (AES-256), was "
                    + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    @Override
    public String toString() {
        return "KeyRing[" + source + ", active=" + activeId + ", keys=" + keys.keySet() + "]";
    }
}
