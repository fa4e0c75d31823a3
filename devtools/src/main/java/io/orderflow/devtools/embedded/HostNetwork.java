package io.orderflow.devtools.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where the processes of a test cluster run: all on loopback ({@link #loopback()}), or each on a host of its own
 * ({@link #namespaces}) — a Linux network namespace with one address, joined to the others by a bridge in this
 * machine's own namespace, so that one host can be cut off the network ({@link #cut}) and healed ({@link #heal}) as
 * a network partition does it: every connection to and from it stalls, nothing is refused. Made with iproute2
 * ({@code ip netns add}, a veth pair per host, a bridge), which needs root; everything is removed on close.
 */
public final class HostNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostNetwork.class);
    private static final String LOOPBACK = "127.0.0.1";

    private record Host(String namespace, String link, String address) {
    }

    private final String bridge;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    /** Removes the namespaces when the JVM is stopped (Ctrl-C) before {@link #close()} runs. */
    private final Thread cleanUp = new Thread(this::removeAll, "orderflow-host-network-cleanup");
    private boolean closed;

    private HostNetwork(String bridge) {
        this.bridge = bridge;
    }

    /** Every process on this machine's loopback: nothing can be cut off. */
    public static HostNetwork loopback() {
        return new HostNetwork(null);
    }

    /**
     * A host per name, each its own network namespace on a new /24 of 10.0.0.0/8, reachable from this process.
     *
     * @throws IllegalStateException naming what failed when namespaces cannot be made here (not root, no iproute2)
     */
    public static HostNetwork namespaces(List<String> names) {
        String id = Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xf0000));
        String subnet = "10." + (100 + ThreadLocalRandom.current().nextInt(100)) + "."
                + ThreadLocalRandom.current().nextInt(256) + ".";
        HostNetwork network = new HostNetwork("ofb" + id);
        Runtime.getRuntime().addShutdownHook(network.cleanUp);
        try {
            network.ip("link", "add", network.bridge, "type", "bridge");
            network.ip("addr", "add", subnet + "1/24", "dev", network.bridge);
            network.ip("link", "set", network.bridge, "up");
            int n = 2;
            for (String name : names) {
                Host host = new Host("orderflow-" + id + "-" + name, "ofv" + id + (n - 2), subnet + n++);
                network.hosts.put(name, host);
                network.ip("netns", "add", host.namespace());
                network.ip("link", "add", host.link(), "type", "veth", "peer", "name", "eth0", "netns",
                        host.namespace());
                network.ip("link", "set", host.link(), "master", network.bridge, "up");
                network.ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0");
                network.ip("-n", host.namespace(), "link", "set", "eth0", "up");
                network.ip("-n", host.namespace(), "link", "set", "lo", "up");
            }
            LOG.info("Hosts in network namespaces on {}0/24: {}", subnet, network.hosts.keySet());
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw new IllegalStateException("cannot make a host per process in network namespaces (network "
                    + "partitions need them, and root to make them): " + e.getMessage(), e);
        }
    }

    /** Whether each process has a host of its own, so it can be cut off. */
    public boolean isolated() {
        return bridge != null;
    }

    /** The address {@code host} listens on and is reached at. */
    public String address(String host) {
        return isolated() ? host(host).address() : LOOPBACK;
    }

    /** {@code command}, run on {@code host}. */
    public List<String> command(String host, List<String> command) {
        if (!isolated()) {
            return command;
        }
        List<String> onHost = new ArrayList<>(List.of("ip", "netns", "exec", host(host).namespace()));
        onHost.addAll(command);
        return onHost;
    }

    /** Cuts {@code host} off the network: its link to the bridge goes down, in both directions. */
    public void cut(String host) {
        requireIsolated();
        ip("link", "set", host(host).link(), "down");
    }

    /** Joins {@code host} to the network again. */
    public void heal(String host) {
        requireIsolated();
        ip("link", "set", host(host).link(), "master", bridge, "up");
    }

    private Host host(String name) {
        Host host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name + "; hosts are " + hosts.keySet());
        }
        return host;
    }

    private void requireIsolated() {
        if (!isolated()) {
            throw new IllegalStateException("the processes share loopback: nothing can be cut off");
        }
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run (is iproute2 installed?): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Removes every namespace and the bridge (the veth pairs go with their namespaces). */
    @Override
    public void close() {
        if (!isolated()) {
            return;
        }
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it finds everything removed
        }
    }

    private synchronized void removeAll() {
        if (closed) {
            return;
        }
        closed = true;
        for (Host host : hosts.values()) {
            try {
                ip("netns", "del", host.namespace());
            } catch (RuntimeException e) {
                LOG.warn("Could not remove network namespace {}: {}", host.namespace(), e.getMessage());
            }
        }
        try {
            ip("link", "del", bridge);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove bridge {}: {}", bridge, e.getMessage());
        }
    }
}
