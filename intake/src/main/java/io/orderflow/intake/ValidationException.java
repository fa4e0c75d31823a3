package io.orderflow.intake;

/** A request the intake refuses as it stands; the message names the field and says what is wrong. Nothing was written. */
public final class ValidationException extends RuntimeException {
    public ValidationException(String message) {
        super(message);
    }
}
