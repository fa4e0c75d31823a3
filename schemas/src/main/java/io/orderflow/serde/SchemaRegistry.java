package io.orderflow.serde;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Where the serdes register writer schemas and look up the schema behind an id in the wire
 * format. Implementations cache both directions, so the hot path does no I/O once a schema has
 * been seen.
 *
 * <p>{@link #fromUrl(String)} turns a {@code schema.registry.url} setting into a registry:
 * {@code local:} for ids derived from schema fingerprints (no server), or one or more
 * {@code http(s)://} URLs of a Confluent-compatible Schema Registry.
 */
public interface SchemaRegistry extends Closeable {

    /**
     * Registers {@code schema} under {@code subject} (or finds it already registered).
     *
     * @return the schema id to write into the wire format
     * @throws SchemaRegistryException if the registry rejects the schema or cannot be reached
     */
    int register(String subject, Schema schema);

    /**
     * The schema with this id.
     *
     * @throws SchemaRegistryException if the id is unknown or the registry cannot be reached
     */
    Schema schemaById(int id);

    @Override
    default void close() {
    }

    /**
     * The registry a {@code schema.registry.url} value names.
     *
     * @param url {@code local:} (anything starting with it), or {@code http://…} / {@code https://…},
     *     several separated by commas (tried in order; the first reachable one answers)
     * @throws IllegalArgumentException for any other value
     */
    static SchemaRegistry fromUrl(String url) {
        String value = url == null ? "" : url.trim();
        if (value.startsWith(LocalSchemaRegistry.URL_PREFIX)) {
            return LocalSchemaRegistry.instance();
        }
        String accepted = "schema.registry.url must be 'local:' or one or more comma-separated http:// or "
                + "https:// URLs of a Schema Registry, got '" + url + "'";
        List<String> urls = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String candidate = part.trim();
            if (!candidate.startsWith("http://") && !candidate.startsWith("https://")) {
                throw new IllegalArgumentException(accepted);
            }
            urls.add(candidate);
        }
        try {
            return new HttpSchemaRegistry(urls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(accepted + ": " + e.getMessage(), e);
        }
    }
}
