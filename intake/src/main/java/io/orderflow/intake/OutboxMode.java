package io.orderflow.intake;

/** What happens to an outbox row once its transaction has written it. */
public enum OutboxMode {
    /**
     * Deleted in the same transaction (the default). Debezium still reads the INSERT from the WAL and its
     * EventRouter ignores the DELETE, so the table stays empty without a purge job.
     */
    DELETE,
    /** Kept, for deployments that want to inspect rows; purge them with {@link IntakeService#purgeOutbox}. */
    KEEP;

    static OutboxMode parse(String key, String text) {
        for (OutboxMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException(key + " must be 'delete' or 'keep', was '" + text + "'");
    }
}
