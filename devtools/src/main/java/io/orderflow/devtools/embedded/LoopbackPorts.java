package io.orderflow.devtools.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses and checks loopback ports: the embedded node's before Kafka binds them, so that a taken port is
 * reported as such rather than as a broker stack trace, and free ones for anything the dev tools and tests start.
 * The one place that looks for a free port.
 */
public final class LoopbackPorts {
    /** Where everything the dev tools start listens. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Kafka's wording when its socket server cannot bind ({@code KafkaServerSocketFactory}). */
    private static final Pattern KAFKA_BIND_FAILURE = Pattern.compile("failed to bind to [^\\s:]+:(\\d+)");

    private LoopbackPorts() {
    }

    /**
     * Resolves each requested port: a fixed port is checked to be free, 0 becomes a free ephemeral
     * port. All ports are held at once while choosing, so two zeros never get the same port.
     *
     * @throws IllegalStateException "port N is already in use" for a fixed port that is taken
     */
    static int[] resolve(String host, int... requested) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] resolved = new int[requested.length];
            for (int i = 0; i < requested.length; i++) {
                ServerSocket socket = bind(host, requested[i]);
                held.add(socket);
                resolved[i] = socket.getLocalPort();
            }
            return resolved;
        } finally {
            held.forEach(LoopbackPorts::closeQuietly);
        }
    }

    /** A port free on loopback right now. */
    public static int free() {
        return resolve(LOOPBACK, 0)[0];
    }

    /** The first of {@code count} consecutive ports free on loopback right now (a demo's instance i takes PORT+i). */
    public static int freeConsecutive(int count) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = free();
            int[] wanted = new int[count];
            for (int i = 0; i < count; i++) {
                wanted[i] = first + i;
            }
            if (first + count - 1 <= 65_535 && allFree(wanted)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports on " + LOOPBACK);
    }

    private static boolean allFree(int[] ports) {
        try {
            resolve(LOOPBACK, ports);
            return true;
        } catch (IllegalStateException taken) {
            return false;
        }
    }

    static IllegalStateException portInUse(int port, Throwable cause) {
        return new IllegalStateException("Cannot start embedded Kafka: port " + port
            + " is already in use. Stop the process that holds it or choose another port.", cause);
    }

    /** The port Kafka reported it could not bind, if that is why {@code failure} happened. */
    static OptionalInt portKafkaFailedToBind(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher matcher = KAFKA_BIND_FAILURE.matcher(t.getMessage());
                if (matcher.find()) {
                    return OptionalInt.of(Integer.parseInt(matcher.group(1)));
                }
            }
        }
        return OptionalInt.empty();
    }

    private static ServerSocket bind(String host, int port) {
        try {
            // Same address family and SO_REUSEADDR default as Kafka's own listener socket.
            return new ServerSocket(port, 1, InetAddress.getByName(host));
        } catch (BindException e) {
            throw portInUse(port, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check port " + port + " on " + host, e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // A listening socket without connections has nothing to flush; the port is released either way.
        }
    }
}
