package io.orderflow.server.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Owns what a command started and closes it in reverse order exactly once — on Ctrl-C / SIGTERM or when the
 * command ends by itself.
 *
 * <p>Why signal handlers and not only a shutdown hook: the JVM runs all shutdown hooks at once, in no order, and
 * libraries register their own (zonky's embedded PostgreSQL stops the database from one). A Ctrl-C then stopped
 * PostgreSQL under a Debezium connector still streaming from it, and a clean stop printed a hundred lines of
 * ERROR. So SIGINT and SIGTERM are handled before the JVM begins to exit: every live lifecycle closes, newest
 * first, each in reverse order of what it owns (connector and worker before the database, the database before
 * the broker), and the command then returns as if it had ended by itself. A second signal during that stop exits
 * at once. The shutdown hook stays for every other way the JVM may exit.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
    private static final List<Lifecycle> LIVE = new ArrayList<>();
    private static boolean signalsHandled;
    private static boolean stopping;
    private static volatile boolean signalled;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;
    private boolean closing;
    private Thread closingThread;

    public Lifecycle() {
        hook = new Thread(this::closeFromSignal, "orderflow-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        synchronized (LIVE) {
            LIVE.add(this);
            if (!signalsHandled) {
                handle("INT");
                handle("TERM");
                signalsHandled = true;
            }
        }
    }

    public synchronized <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Blocks until the process is asked to stop. */
    public void awaitShutdown() throws InterruptedException {
        closed.await();
    }

    private static void handle(String signal) {
        try {
            Signal.handle(new Signal(signal), Lifecycle::onSignal);
        } catch (IllegalArgumentException unsupported) {
            // a platform without this signal (or one the JVM reserves): the shutdown hook still closes everything
            log.debug("Cannot handle SIG{}: {}", signal, unsupported.getMessage());
        }
    }

    /**
     * Whether SIGINT or SIGTERM has closed the live lifecycles: a command whose main thread does work of its own
     * (rather than {@link #awaitShutdown()}) checks this and stops.
     */
    public static boolean signalled() {
        return signalled;
    }

    private static void onSignal(Signal signal) {
        signalled = true;
        List<Lifecycle> live;
        synchronized (LIVE) {
            if (stopping) {
                System.err.println("\nStopping at once.");
                System.exit(128 + signal.getNumber());
                return;
            }
            stopping = true;
            live = new ArrayList<>(LIVE);
        }
        System.err.println("\nShutting down...");
        for (int i = live.size() - 1; i >= 0; i--) {
            live.get(i).closeAll(true);
        }
        synchronized (LIVE) {
            stopping = false;
        }
    }

    private void closeFromSignal() {
        System.err.println("\nShutting down...");
        closeAll(false); // the JVM is exiting: a second Ctrl-C must not wait for the first one's clean stop
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: it closes everything
        }
        closeAll(true);
    }

    /** @param waitForOther when another thread is closing already, wait until it has closed everything */
    private void closeAll(boolean waitForOther) {
        boolean otherThreadCloses;
        synchronized (this) {
            if (closing && closingThread == Thread.currentThread()) {
                return; // a resource closing this lifecycle again from inside closeAll
            }
            otherThreadCloses = closing;
            if (!closing) {
                closing = true;
                closingThread = Thread.currentThread();
            }
        }
        if (otherThreadCloses) {
            if (!waitForOther) {
                return;
            }
            // Another thread (a signal's) is closing: wait until it is done, or a command's main thread would
            // return, the JVM exit, and what the other thread was still stopping (child processes) be orphaned.
            awaitClosed();
            return;
        }
        AutoCloseable next;
        while ((next = poll()) != null) {
            try {
                next.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
        synchronized (LIVE) {
            LIVE.remove(this);
        }
        closed.countDown();
    }

    private void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized AutoCloseable poll() {
        return resources.poll();
    }
}
