package io.orderflow.devtools.embedded;

import io.orderflow.server.runtime.TempDir;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * A real multi-node KRaft cluster: each node (broker and controller in one, as in Kafka's quickstart) its own JVM
 * running Kafka's own {@code kafka.Kafka} on a directory formatted by Kafka's own storage tool, so a node can be
 * killed with SIGKILL and started again on its data, as a crashed broker is. Settings as a production cluster of
 * three would have them: replication factor 3 and {@code min.insync.replicas} 2 for topics, the offsets and the
 * transaction state log; unclean leader election off. On loopback, or each node on a host of its own
 * ({@link HostNetwork}) so it can be cut off the network; every node logs to {@code node-<id>.log} in the cluster's
 * directory.
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Documented in docs/reliability.md as the setting that bounds a broker kill's stall. */
    public static final Duration BROKER_SESSION_TIMEOUT = Duration.ofSeconds(4);
    public static final Duration BROKER_HEARTBEAT = Duration.ofSeconds(1);

    private final Path dir;
    private final HostNetwork network;
    private final List<Node> nodes = new ArrayList<>();

    private record Node(int id, String host, String address, int clientPort, int controllerPort, Path config,
                        Path log) {
    }

    private final Process[] processes;

    private KafkaCluster(Path dir, HostNetwork network, int size) {
        this.dir = dir;
        this.network = network;
        this.processes = new Process[size];
    }

    /** Starts {@code size} nodes on loopback in a new temporary directory; waits until every one serves clients. */
    public static KafkaCluster start(int size) {
        return start(size, HostNetwork.loopback());
    }

    /**
     * Starts {@code size} nodes, node N on {@code network}'s host {@link #hostName(int) broker-N} (which the network
     * must have when it is {@link HostNetwork#isolated() isolated}), and waits until every one serves clients.
     */
    public static KafkaCluster start(int size, HostNetwork network) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, was " + size);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("orderflow-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's directory", e);
        }
        KafkaCluster cluster = new KafkaCluster(dir, network, size);
        try {
            cluster.configure(size);
            for (int i = 0; i < size; i++) {
                cluster.startNode(i);
            }
            cluster.awaitBrokers(size, START_TIMEOUT);
            LOG.info("Kafka cluster of {} nodes on {}", size, cluster.bootstrapServers());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Every node's client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        StringJoiner joiner = new StringJoiner(",");
        nodes.forEach(node -> joiner.add(node.address() + ":" + node.clientPort()));
        return joiner.toString();
    }

    public int size() {
        return nodes.size();
    }

    /** The node's id (1-based, as Kafka names it) of node {@code index}. */
    public int nodeId(int index) {
        return nodes.get(index).id();
    }

    /** The data directory ({@code log.dirs}) of node {@code index}. */
    public Path logDir(int index) {
        return dir.resolve("node-" + nodeId(index));
    }

    /** The ids of every node, for tools that ask broker by broker. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(Node::id).toList();
    }

    /** The host of the node with id {@code nodeId}, on the cluster's {@link HostNetwork}. */
    public static String hostName(int nodeId) {
        return "broker-" + nodeId;
    }

    /** The host node {@code index} runs on. */
    public String host(int index) {
        return nodes.get(index).host();
    }

    /**
     * SIGSTOPs node {@code index} ({@code STOP}) or resumes it ({@code CONT}): a broker frozen past its session
     * timeout is fenced by the controller; resumed, it still believes what it believed, and must learn otherwise.
     */
    public void signal(int index, String signal) {
        Process process = processes[index];
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("node " + nodeId(index) + " is not running");
        }
        try {
            Signals.send(process.pid(), signal);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling node " + nodeId(index), e);
        }
        LOG.info("Sent SIG{} to Kafka node {}", signal, nodeId(index));
    }

    /** The index of the node that is the active controller (the KRaft quorum's leader), or -1 when unknown. */
    public int activeController() {
        try (Admin admin = Admin.create(adminProperties())) {
            return indexOf(admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId());
        } catch (Exception e) {
            LOG.warn("Could not find the active controller: {}", e.toString());
            return -1;
        }
    }

    /**
     * The index of the node that coordinates the transactions of a transactional id starting with {@code prefix}
     * (Kafka Streams' ids start with the application.id), or -1 when there is none right now.
     */
    public int transactionCoordinator(String prefix) {
        try (Admin admin = Admin.create(adminProperties())) {
            List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .map(listing -> listing.transactionalId()).filter(id -> id.startsWith(prefix)).sorted().toList();
            if (ids.isEmpty()) {
                return -1;
            }
            return indexOf(admin.describeTransactions(List.of(ids.get(0))).all().get(10, TimeUnit.SECONDS)
                    .get(ids.get(0)).coordinatorId());
        } catch (Exception e) {
            LOG.warn("Could not find the transaction coordinator: {}", e.toString());
            return -1;
        }
    }

    private int indexOf(int nodeId) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id() == nodeId) {
                return i;
            }
        }
        return -1;
    }

    private Properties adminProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return props;
    }

    /** SIGKILLs node {@code index}: no controlled shutdown, no flush, as a crash or a power cut. */
    public void kill(int index) {
        Process process = processes[index];
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("node " + nodeId(index) + " is not running");
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + nodeId(index) + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + nodeId(index), e);
        }
        processes[index] = null;
        LOG.info("Killed Kafka node {} (SIGKILL)", nodeId(index));
    }

    /**
     * Starts node {@code index} again on its data (unless it runs already) and waits until the cluster has every
     * node again.
     */
    public synchronized void restart(int index) {
        if (processes[index] == null || !processes[index].isAlive()) {
            startNode(index);
        }
        awaitBrokers(nodes.size(), START_TIMEOUT);
        LOG.info("Kafka node {} is back", nodeId(index));
    }

    private void configure(int size) {
        List<int[]> ports = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            // A host of its own has every port free; on loopback the nodes share the machine's.
            ports.add(network.isolated() ? new int[] {9092, 9093}
                    : new int[] {LoopbackPorts.free(), LoopbackPorts.free()});
            addresses.add(network.address(hostName(i + 1)));
        }
        StringJoiner voters = new StringJoiner(",");
        for (int i = 0; i < size; i++) {
            voters.add((i + 1) + "@" + addresses.get(i) + ":" + ports.get(i)[1]);
        }
        String clusterId = Uuid.randomUuid().toString();
        int replication = Math.min(3, size);
        int minIsr = Math.max(1, replication - 1);
        for (int i = 0; i < size; i++) {
            int id = i + 1;
            Path logDir = dir.resolve("node-" + id);
            Map<String, String> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(id));
            props.put("controller.quorum.voters", voters.toString());
            String address = addresses.get(i);
            props.put("listeners", "PLAINTEXT://" + address + ":" + ports.get(i)[0] + ",CONTROLLER://" + address
                    + ":" + ports.get(i)[1]);
            props.put("advertised.listeners", "PLAINTEXT://" + address + ":" + ports.get(i)[0]);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", logDir.toString());
            KafkaStorage.replication(props, replication, minIsr);
            props.put("unclean.leader.election.enable", "false");
            // A dead broker is fenced, and its partitions get new leaders, this long after its last heartbeat
            // (Kafka's defaults: 9 s and 2 s): the largest part of the stall a broker kill causes.
            props.put("broker.session.timeout.ms", Long.toString(BROKER_SESSION_TIMEOUT.toMillis()));
            props.put("broker.heartbeat.interval.ms", Long.toString(BROKER_HEARTBEAT.toMillis()));
            props.put("offsets.topic.num.partitions", "6");
            props.put("transaction.state.log.num.partitions", "6");
            props.put("share.coordinator.state.topic.num.partitions", "6");
            props.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
            props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            props.put("num.network.threads", "2");
            props.put("num.io.threads", "2");
            props.put("background.threads", "2");
            Path config = dir.resolve("node-" + id + ".properties");
            write(config, props);
            KafkaStorage.format(config, clusterId, logDir);
            nodes.add(new Node(id, hostName(id), address, ports.get(i)[0], ports.get(i)[1], config,
                    dir.resolve("node-" + id + ".log")));
        }
    }

    private void startNode(int index) {
        Node node = nodes.get(index);
        String java = ProcessHandle.current().info().command().orElse("java");
        try {
            processes[index] = new ProcessBuilder(network.command(node.host(), List.of(java, "-Xms128m", "-Xmx384m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "kafka.Kafka",
                    node.config().toString())))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka node " + node.id(), e);
        }
    }

    /** Waits until the cluster's metadata lists {@code expected} brokers. */
    private void awaitBrokers(int expected, Duration timeout) {
        Properties props = adminProperties();
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < processes.length; i++) {
                    if (processes[i] != null && !processes[i].isAlive()) {
                        throw new IllegalStateException("Kafka node " + nodeId(i) + " exited with "
                                + processes[i].exitValue() + "; see " + nodes.get(i).log());
                    }
                }
                try {
                    seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen >= expected) {
                        return;
                    }
                } catch (Exception e) {
                    // not up yet
                }
                TimeUnit.MILLISECONDS.sleep(200); // polling the cluster's metadata within the deadline above
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
        }
        throw new IllegalStateException("the Kafka cluster did not list " + expected + " brokers within "
                + timeout.toSeconds() + " s (it lists " + seen + "); see the node logs in " + dir);
    }

    private static void write(Path file, Map<String, String> props) {
        Properties properties = new Properties();
        properties.putAll(props);
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "Written by orderflow's KafkaCluster");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** SIGKILLs every node still running and deletes the cluster's directory. */
    @Override
    public void close() {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null) {
                processes[i].destroyForcibly();
                try {
                    processes[i].waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                processes[i] = null;
            }
        }
        try {
            TempDir.delete(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete the cluster's directory {}: {}", dir, e.getMessage());
        }
    }
}
