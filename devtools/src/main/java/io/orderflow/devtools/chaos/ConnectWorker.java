package io.orderflow.devtools.chaos;

import io.orderflow.devtools.embedded.EmbeddedConnect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A Kafka Connect worker as a process of its own, for {@code saga chaos --via outbox}: a process that can be
 * SIGKILLed mid-transaction and started again, as a crashed Connect worker is. Runs Kafka's own distributed worker
 * ({@link EmbeddedConnect}), registers the outbox connector (an update in place when it exists, as after a restart),
 * prints {@link #RUNNING} once the connector and its task run, and then runs until it is stopped.
 *
 * <p>Arguments: {@code [--restart] <bootstrap.servers> <rest port> <internal topics' replication factor>
 * <connector json> [key=value …]} — the pairs override the connector's config (the database connection). With
 * {@code --restart} the connector is not registered again: the worker finds it in its config topic, as a restarted
 * worker of a Connect cluster does.
 */
public final class ConnectWorker {
    /** Printed, followed by the REST URL, once the connector runs. */
    static final String RUNNING = "orderflow connect worker running at ";

    private ConnectWorker() {
    }

    public static void main(String[] arguments) throws Exception {
        boolean restart = arguments.length > 0 && arguments[0].equals("--restart");
        String[] args = restart ? java.util.Arrays.copyOfRange(arguments, 1, arguments.length) : arguments;
        if (args.length < 4) {
            System.err.println("usage: ConnectWorker <bootstrap.servers> <rest port> <replication factor> "
                    + "<connector json> [key=value ...]");
            System.exit(2);
        }
        String replication = args[2];
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        EmbeddedConnect connect = EmbeddedConnect.builder(args[0]).restPort(Integer.parseInt(args[1]))
                .workerConfig("config.storage.replication.factor", replication)
                .workerConfig("offset.storage.replication.factor", replication)
                .workerConfig("status.storage.replication.factor", replication)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            connect.close();
            stopped.countDown();
        }, "orderflow-connect-shutdown"));
        long started = System.nanoTime();
        System.out.println("orderflow connect worker started; " + (restart ? "waiting for" : "registering")
                + " the connector");
        String name = restart ? EmbeddedConnect.connectorName(Path.of(args[3]))
                : connect.registerConnector(Path.of(args[3]), overrides);
        connect.awaitRunning(name, Duration.ofSeconds(170));
        System.out.printf("orderflow connect worker: connector %s running after %d ms%n", name,
                (System.nanoTime() - started) / 1_000_000);
        System.out.println(RUNNING + connect.restUrl());
        System.out.flush();
        stopped.await();
    }
}
