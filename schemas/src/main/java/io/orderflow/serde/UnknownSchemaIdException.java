package io.orderflow.serde;

/**
 * The registry answered, and it has no schema with the id a record carries. Unlike an unreachable
 * registry this says something about the record (written against another registry, or not Avro at
 * all), so {@link IngressReader} reports it as an unreadable record rather than an outage.
 */
public final class UnknownSchemaIdException extends SchemaRegistryException {

    public UnknownSchemaIdException(String message) {
        super(message);
    }
}
