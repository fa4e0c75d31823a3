package io.orderflow.server.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

/**
 * Owns what a command started and closes it in reverse order exactly once — on Ctrl-C / SIGTERM (through a
 * shutdown hook) or when the command ends by itself.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;
    private boolean closing;

    public Lifecycle() {
        hook = new Thread(this::closeFromSignal, "orderflow-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Blocks until the process is asked to stop. */
    public void awaitShutdown() throws InterruptedException {
        closed.await();
    }

    private void closeFromSignal() {
        System.err.println("\nShutting down...");
        closeAll();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run: it closes everything
        }
        closeAll();
    }

    private void closeAll() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        AutoCloseable next;
        while ((next = poll()) != null) {
            try {
                next.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
        closed.countDown();
    }

    private synchronized AutoCloseable poll() {
        return resources.poll();
    }
}
