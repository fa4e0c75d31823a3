package io.orderflow.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * An ingress record that cannot be read: empty, neither JSON nor Avro wire format, malformed
 * JSON, or JSON whose structure does not match the public contract. The message is the reason,
 * written for the person who produced the record (it names the offending field).
 */
public class InvalidRecordException extends SerializationException {

    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
