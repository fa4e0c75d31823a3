package io.orderflow.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema registry could not register or return a schema: it is unreachable, it answered with
 * an error, or it does not know the schema id. The message names the registry, the subject or id
 * and, for HTTP, the status and the registry's own error code and message.
 */
public class SchemaRegistryException extends SerializationException {

    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
