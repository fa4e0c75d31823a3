package io.orderflow.devtools.chaos;

import java.util.Locale;

/** The faults {@code saga chaos} injects, each with its own flag, seeded stream of moments, and report line. */
public enum FaultKind {
    /** SIGKILL of an instance, restarted after 0–8 s, alternately on its state directory and wiped. */
    INSTANCE_KILL("instance kill", "--kills", 7),
    /** SIGKILL of a broker, started again on its data after 5–15 s. */
    BROKER_KILL("broker kill", "--broker-kills", 11),
    /** SIGSTOP of an instance for 8–20 s, past its session and transaction timeouts: a zombie when it wakes. */
    INSTANCE_PAUSE("instance pause", "--pauses", 13),
    /** SIGSTOP of a broker for 8–20 s, past its broker session timeout: fenced, then a zombie leader. */
    BROKER_PAUSE("broker pause", "--broker-pauses", 17),
    /** An instance's host cut off the network for 8–20 s, then healed. */
    INSTANCE_PARTITION("instance partition", "--network-partitions", 19),
    /** A broker's host cut off the network for 8–20 s, then healed. */
    BROKER_PARTITION("broker partition", "--network-partitions", 23),
    /** SIGKILL of the Kafka Connect worker running Debezium, restarted after 2–8 s. */
    CONNECT_KILL("Connect kill", "--connect-kills", 29),
    /** PostgreSQL crashed (immediate shutdown: no checkpoint) and started again on its data after 2–6 s. */
    POSTGRES_RESTART("PostgreSQL restart", "--postgres-restarts", 31);

    private final String label;
    private final String flag;
    private final int stream;

    FaultKind(String label, String flag, int stream) {
        this.label = label;
        this.flag = flag;
        this.stream = stream;
    }

    /** For the report: {@code instance kill}, {@code broker pause}, … */
    public String label() {
        return label;
    }

    /** The {@code saga chaos} flag that asks for it. */
    public String flag() {
        return flag;
    }

    /** The key in the JSON report: {@code instance_kill}, … */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Each kind draws its victims and moments from its own seeded stream, so that adding one kind to a run leaves
     * the moments of the others as they were.
     */
    long seed(long seed) {
        return seed * 31 + stream;
    }

    boolean brokerFault() {
        return this == BROKER_KILL || this == BROKER_PAUSE || this == BROKER_PARTITION;
    }
}
