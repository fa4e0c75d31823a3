package io.orderflow.server.runtime;

import io.orderflow.topology.Topics;
import io.orderflow.topology.saga.ReplyProgress;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures {@link ReplyProgress} for the whole application — every instance, whoever owns which task — from the
 * outside, the way an operator's lag monitor would: in rounds, each started at a wall-clock time {@code t}, it
 * notes the ends of the command topics, waits until the application's consumer group has consumed up to them,
 * then notes the ends of the reply topics and waits until the group has consumed up to those. Then every command
 * sent before {@code t} has been executed and its reply read back by the saga: the reply path is caught up
 * through {@code t}, and the next round starts. While a broker fails over, a task restores, or the services are
 * behind, rounds stall, and so do deadlines.
 *
 * <p>Under exactly-once, a committed offset stops short of the end by transaction markers; a gap is read once (by
 * a {@code read_committed} consumer) to see whether it holds records, and remembered while neither end moves.
 *
 * <p>A round sees commands once their transaction has committed, and the saga's transaction can commit late: its
 * stream thread may sit in a commit while a broker fails over, up to the producer's {@code transaction.timeout.ms}
 * (Kafka Streams' 10 s under exactly-once) plus the coordinator's abort check (every 10 s). A round that started
 * before such a commit does not cover those commands. So when the saga timeout is shorter than that bound,
 * progress is reported that much earlier ({@code settle}); with the defaults (a 30 s saga timeout) it is not.
 */
public final class ReplyPathMonitor implements ReplyProgress, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplyPathMonitor.class);
    static final List<String> COMMANDS = List.of(Topics.PAYMENT_COMMANDS.name(), Topics.INVENTORY_COMMANDS.name());
    static final List<String> REPLIES = List.of(Topics.PAYMENT_REPLIES.name(), Topics.INVENTORY_REPLIES.name());
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** Kafka Streams' producer transaction timeout under exactly-once, when none is set. */
    private static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
    /** The broker's {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} default. */
    private static final Duration COORDINATOR_ABORT_CHECK = Duration.ofSeconds(10);

    /** The offsets a round needs; the Kafka implementation is below, tests may give their own. */
    interface Offsets extends AutoCloseable {
        /** The {@code read_committed} end of every partition of {@code topics}. */
        Map<TopicPartition, Long> ends(List<String> topics) throws Exception;

        /** The application group's committed offsets. */
        Map<TopicPartition, Long> committed() throws Exception;

        /** Whether [from, to) of {@code partition} holds no committed record (transaction markers at most). */
        boolean noRecordsBetween(TopicPartition partition, long from, long to) throws Exception;

        @Override
        void close();
    }

    private final Offsets offsets;
    private final Clock clock;
    private final Map<TopicPartition, long[]> emptyGaps = new HashMap<>();
    private volatile long answeredThrough;
    private ScheduledExecutorService scheduler;

    private long roundStart;
    private boolean repliesHop;
    private Map<TopicPartition, Long> targets;

    private final long settleMillis;

    /** @param settle how much earlier than a round's start to report progress (see above) */
    ReplyPathMonitor(Offsets offsets, Clock clock, Duration settle) {
        this.offsets = offsets;
        this.clock = clock;
        this.settleMillis = settle.toMillis();
        this.answeredThrough = Long.MIN_VALUE;
    }

    /** Watches the group {@code application.id} of {@code streamsProperties}, with its clients' settings. */
    public static ReplyPathMonitor start(Properties streamsProperties, Duration sagaTimeout, Duration every) {
        StreamsConfig config = new StreamsConfig(streamsProperties);
        Object transactionTimeout = config.getProducerConfigs("reply-path-monitor")
                .get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        Duration commitBound = Duration.ofMillis(transactionTimeout == null ? DEFAULT_TRANSACTION_TIMEOUT_MS
                : Long.parseLong(transactionTimeout.toString())).plus(COORDINATOR_ABORT_CHECK);
        Duration settle = commitBound.compareTo(sagaTimeout) > 0 ? commitBound.minus(sagaTimeout) : Duration.ZERO;
        ReplyPathMonitor monitor = new ReplyPathMonitor(new KafkaOffsets(streamsProperties), Clock.systemUTC(),
                settle);
        monitor.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "orderflow-reply-path-monitor");
            thread.setDaemon(true);
            return thread;
        });
        monitor.scheduler.scheduleWithFixedDelay(monitor::stepQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return monitor;
    }

    @Override
    public long answeredThrough() {
        return answeredThrough;
    }

    /** How far behind the wall clock the reply path is; unknown (negative) before the first round ends. */
    public Duration lag() {
        long through = answeredThrough;
        return through == Long.MIN_VALUE ? Duration.ofMillis(-1) : Duration.ofMillis(clock.millis() - through);
    }

    private void stepQuietly() {
        try {
            step();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A broker failing over, a coordinator moving: the round simply does not advance now.
            log.debug("Reply path progress not measured this time: {}", e.toString());
        }
    }

    /** One look: starts a round, or moves the current one on as far as the offsets allow. */
    void step() throws Exception {
        if (targets == null) {
            roundStart = clock.millis();
            repliesHop = false;
            targets = offsets.ends(COMMANDS);
        }
        Map<TopicPartition, Long> committed = offsets.committed();
        if (!reached(committed)) {
            return;
        }
        if (!repliesHop) {
            repliesHop = true;
            targets = offsets.ends(REPLIES);
            if (!reached(committed)) {
                return;
            }
        }
        answeredThrough = roundStart - settleMillis;
        targets = null;
    }

    private boolean reached(Map<TopicPartition, Long> committed) throws Exception {
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            TopicPartition partition = target.getKey();
            long end = target.getValue();
            long at = committed.getOrDefault(partition, 0L);
            if (at >= end) {
                continue;
            }
            long[] known = emptyGaps.get(partition);
            if (known != null && known[0] == at && known[1] >= end) {
                continue;
            }
            if (!offsets.noRecordsBetween(partition, at, end)) {
                return false;
            }
            emptyGaps.put(partition, new long[] {at, end});
        }
        return true;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        offsets.close();
    }

    /** Offsets from the cluster, with the instance's own client settings (security included). */
    private static final class KafkaOffsets implements Offsets {
        private final Admin admin;
        private final KafkaConsumer<byte[], byte[]> reader;
        private final String groupId;

        KafkaOffsets(Properties streamsProperties) {
            StreamsConfig config = new StreamsConfig(streamsProperties);
            this.groupId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
            this.admin = Admin.create(config.getAdminConfigs(groupId + "-reply-path-monitor"));
            Map<String, Object> consumer = config.getRestoreConsumerConfigs(groupId + "-reply-path-reader");
            consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
            this.reader = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Map<TopicPartition, Long> ends(List<String> topics) throws Exception {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
                topic.partitions().forEach(p -> request.put(new TopicPartition(topic.name(), p.partition()),
                        OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }

        @Override
        public Map<TopicPartition, Long> committed() throws Exception {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> committed = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    committed.put(partition, offset.offset());
                }
            });
            return committed;
        }

        @Override
        public boolean noRecordsBetween(TopicPartition partition, long from, long to) {
            reader.assign(List.of(partition));
            reader.seek(partition, from);
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            while (reader.position(partition) < to && System.nanoTime() < deadline) {
                if (reader.poll(Duration.ofMillis(100)).records(partition).stream().anyMatch(r -> r.offset() < to)) {
                    return false;
                }
            }
            return reader.position(partition) >= to;
        }

        @Override
        public void close() {
            reader.close(Duration.ofSeconds(2));
            admin.close(Duration.ofSeconds(2));
        }
    }
}
