package io.orderflow.intake;

/**
 * An Idempotency-Key that this customer already used for a different request. Answering it with the first request's
 * answer would hide a client bug (two different orders under one key), so it is refused instead. Nothing was written.
 */
public final class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String message) {
        super(message);
    }
}
