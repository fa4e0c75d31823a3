package io.orderflow.serde;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A schema registry without a server ({@code schema.registry.url=local:}). A schema's id is
 * derived from its Avro parsing fingerprint, so every process that has the same schemas agrees on
 * the ids without talking to anyone: tests, the embedded demo, several local processes.
 *
 * <p>Every schema in {@link Contracts#ALL}, and every schema ever released ({@link ReleasedSchemas}),
 * is known from the start; {@link #register} adds any other. Two schemas with different canonical
 * forms whose fingerprints fold to the same id would make records unreadable, so that fails loudly
 * instead. Subjects play no part in the ids.
 * Thread-safe.
 */
public final class LocalSchemaRegistry implements SchemaRegistry {

    /** The {@code schema.registry.url} prefix that selects this registry. */
    public static final String URL_PREFIX = "local:";

    private final ToIntFunction<Schema> idFunction;
    private final Map<Integer, Known> byId = new ConcurrentHashMap<>();
    // Schema.equals is a deep comparison, but a serde registers the same instance every time,
    // which equals() answers by identity; this spares recomputing the fingerprint.
    private final Map<Schema, Integer> idBySchema = new ConcurrentHashMap<>();

    /**
     * A registry that knows every schema in {@link Contracts#ALL} and every released one
     * ({@link ReleasedSchemas}): what an earlier build wrote carries a released schema's id.
     */
    public LocalSchemaRegistry() {
        this(LocalSchemaRegistry::fingerprintId, Stream.concat(Contracts.ALL.stream(),
                ReleasedSchemas.all().stream().map(ReleasedSchemas.Released::schema)).toList());
    }

    // Lets a test force a collision without searching for two schemas with colliding fingerprints.
    LocalSchemaRegistry(ToIntFunction<Schema> idFunction, Collection<Schema> known) {
        this.idFunction = idFunction;
        for (Schema schema : known) {
            add(schema);
        }
    }

    /** The registry shared by everything in this JVM that asks for {@code local:}. */
    public static LocalSchemaRegistry instance() {
        return Shared.INSTANCE;
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer id = idBySchema.get(schema);
        return id != null ? id : add(schema);
    }

    @Override
    public Schema schemaById(int id) {
        Known known = byId.get(id);
        if (known == null) {
            throw new UnknownSchemaIdException("unknown schema id " + id + " in the local schema registry ("
                    + URL_PREFIX + "): it is neither one of this build's contracts nor a schema registered in "
                    + "this JVM, so the record was written with another schema or is not Avro at all");
        }
        return known.schema;
    }

    /** The id of a schema: its 64-bit parsing fingerprint folded to a positive 31-bit int. */
    static int fingerprintId(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        return (int) (fingerprint ^ (fingerprint >>> 32)) & 0x7fff_ffff;
    }

    private synchronized int add(Schema schema) {
        String canonical = SchemaNormalization.toParsingForm(schema);
        int id = idFunction.applyAsInt(schema);
        Known existing = byId.get(id);
        if (existing == null) {
            byId.put(id, new Known(schema, canonical));
        } else if (!existing.canonical.equals(canonical)) {
            throw new SchemaRegistryException("schema id collision in the local schema registry: "
                    + describe(schema) + " and " + describe(existing.schema) + " are different schemas "
                    + "but both fold to id " + id + "; rename or change one of them, or use an HTTP "
                    + "Schema Registry");
        }
        idBySchema.put(schema, id);
        return id;
    }

    private static String describe(Schema schema) {
        return schema.getFullName() + String.format(" (fingerprint %016x)",
                SchemaNormalization.parsingFingerprint64(schema));
    }

    private record Known(Schema schema, String canonical) {
    }

    private static final class Shared {
        static final LocalSchemaRegistry INSTANCE = new LocalSchemaRegistry();
    }
}
