package io.orderflow.intake;

/** The request names an order the intake never accepted. Nothing was written. */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
