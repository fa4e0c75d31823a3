package io.orderflow.devtools.demo;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows {@code order.status} (read_committed, so only what the saga committed) and keeps each tracked order's
 * latest status: how the demo knows when every order is terminal and what became of it.
 */
public final class OutcomeTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutcomeTracker.class);

    private final KafkaConsumer<String, OrderStatusChanged> consumer;
    private final Set<String> tracked = ConcurrentHashMap.newKeySet();
    private final Map<String, OrderStatusChanged> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** When each order was first seen terminal, in the order seen (System.nanoTime()). */
    private long[] terminalAt = new long[1024];
    private int terminalCount;

    public OutcomeTracker(String bootstrapServers, SchemaRegistry registry) {
        this(clientOf(bootstrapServers), registry);
    }

    private static Properties clientOf(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** @param client bootstrap.servers and any security settings */
    public OutcomeTracker(Properties client, SchemaRegistry registry) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new AvroSerde<>(OrderStatusChanged.class, registry).deserializer());
        List<PartitionInfo> partitions = consumer.partitionsFor(Topics.ORDER_STATUS.name(), Duration.ofSeconds(30));
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        thread = new Thread(this::poll, "orderflow-demo-tracker");
        thread.setDaemon(true);
        thread.start();
    }

    public void track(String orderId) {
        tracked.add(orderId);
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, OrderStatusChanged> record : consumer.poll(Duration.ofMillis(200))) {
                    OrderStatusChanged change = record.value();
                    OrderStatusChanged before = latest.get(change.getOrderId());
                    latest.merge(change.getOrderId(), change,
                            (old, now) -> now.getVersion() > old.getVersion() ? now : old);
                    if (isTerminal(change) && (before == null || !isTerminal(before))) {
                        terminalSeen(System.nanoTime());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Following {} failed", Topics.ORDER_STATUS, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private synchronized void terminalSeen(long at) {
        if (terminalCount == terminalAt.length) {
            terminalAt = Arrays.copyOf(terminalAt, terminalAt.length * 2);
        }
        terminalAt[terminalCount++] = at;
    }

    /**
     * The processing stall around {@code moment} (a {@link System#nanoTime()}), as this tracker saw it: from the last
     * order it saw become terminal at or before the moment to the first after it, in nanoseconds; from the moment
     * itself when none came before; -1 when none has come after it yet.
     */
    public synchronized long gapAround(long moment) {
        // terminalAt is sorted (one thread appends System.nanoTime()): find the first entry after the moment
        int after = 0;
        int end = terminalCount;
        while (after < end) {
            int middle = (after + end) >>> 1;
            if (terminalAt[middle] <= moment) {
                after = middle + 1;
            } else {
                end = middle;
            }
        }
        if (after == terminalCount) {
            return -1;
        }
        return terminalAt[after] - (after == 0 ? moment : terminalAt[after - 1]);
    }

    private static boolean isTerminal(OrderStatusChanged change) {
        return change.getStatus() == OrderStatus.CONFIRMED || change.getStatus() == OrderStatus.CANCELLED;
    }

    /** Tracked orders by their latest status ("PENDING" for none or a non-terminal one) and reason. */
    public Map<String, Long> outcomes() {
        Map<String, Long> counts = new TreeMap<>();
        for (String orderId : tracked) {
            counts.merge(outcomeOf(latest.get(orderId)), 1L, Long::sum);
        }
        return counts;
    }

    public long count(OrderStatus status) {
        return tracked.stream().map(latest::get)
                .filter(c -> c != null && c.getStatus() == status).count();
    }

    public long pending() {
        return tracked.stream().map(latest::get)
                .filter(c -> c == null || (c.getStatus() != OrderStatus.CONFIRMED
                        && c.getStatus() != OrderStatus.CANCELLED)).count();
    }

    /** Orders seen CONFIRMED or CANCELLED, tracked or not. */
    public long terminal() {
        return latest.values().stream().filter(OutcomeTracker::isTerminal).count();
    }

    public long placed() {
        return tracked.size();
    }

    static String outcomeOf(OrderStatusChanged change) {
        if (change == null || (change.getStatus() != OrderStatus.CONFIRMED
                && change.getStatus() != OrderStatus.CANCELLED)) {
            return "PENDING";
        }
        return change.getReason() == null || change.getStatus() == OrderStatus.CONFIRMED
                ? change.getStatus().name() : change.getStatus().name() + " " + change.getReason().name();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
