package io.orderflow.intake;

/**
 * PostgreSQL could not be reached (refused, dropped, shutting down, or no pooled connection within the timeout).
 * The request may be retried as it is; with the same Idempotency-Key a retry can never place the order twice.
 */
public final class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
