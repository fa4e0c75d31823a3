package io.orderflow.devtools.chaos;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the cluster has come to rest: every instance ready, no saga pending on any of them, and the application's
 * consumer group has processed every committed record of every partition it reads. Committed offsets under
 * exactly-once may stop short of the end offset by transaction markers only, so a gap is read to see whether it
 * holds records at all.
 */
final class Quiescence implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final String groupId;
    private final List<TopicPartition> inputs;
    private final KafkaConsumer<byte[], byte[]> reader;

    /** @param inputs partitions the group must have consumed even if it never committed an offset for them */
    Quiescence(String bootstrap, String groupId, List<TopicPartition> inputs) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(props);
        this.groupId = groupId;
        this.inputs = List.copyOf(inputs);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.reader = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** What one look found. */
    record Observation(boolean ready, double pending, long unprocessed, Map<TopicPartition, Long> ends) {
        boolean atRest() {
            return ready && pending == 0 && unprocessed == 0;
        }

        @Override
        public String toString() {
            return (ready ? "all ready" : "not all ready") + ", " + (Double.isNaN(pending) ? "pending unknown"
                    : (long) pending + " sagas pending") + ", " + unprocessed + " records unprocessed";
        }
    }

    Observation observe(List<InstanceProcess> instances) throws InterruptedException {
        boolean ready = instances.stream().allMatch(i -> i.status("/ready") == 200);
        double pending = 0;
        for (InstanceProcess instance : instances) {
            pending += instance.metric("saga_pending");
        }
        Map<TopicPartition, Long> committed = committed();
        Map<TopicPartition, Long> all = new HashMap<>(committed);
        inputs.forEach(tp -> all.putIfAbsent(tp, 0L));
        Map<TopicPartition, Long> ends = ends(all.keySet().stream().toList());
        long unprocessed = 0;
        for (Map.Entry<TopicPartition, Long> entry : all.entrySet()) {
            long end = ends.getOrDefault(entry.getKey(), 0L);
            if (entry.getValue() < end) {
                unprocessed += recordsBetween(entry.getKey(), entry.getValue(), end);
            }
        }
        return new Observation(ready, pending, unprocessed, ends);
    }

    private Map<TopicPartition, Long> committed() throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets = get(admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().toCompletionStage().toCompletableFuture());
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((tp, offset) -> {
            if (offset != null) {
                committed.put(tp, offset.offset());
            }
        });
        return committed;
    }

    private Map<TopicPartition, Long> ends(List<TopicPartition> partitions) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        get(admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .toCompletionStage().toCompletableFuture()).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Committed records in [from, to), which may be none at all when the gap is transaction markers. */
    private long recordsBetween(TopicPartition tp, long from, long to) {
        reader.assign(List.of(tp));
        reader.seek(tp, from);
        long count = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (reader.position(tp) < to && System.nanoTime() < deadline) {
            count += reader.poll(Duration.ofMillis(200)).records(tp).stream().filter(r -> r.offset() < to).count();
        }
        return reader.position(tp) < to ? Math.max(count, to - reader.position(tp)) : count;
    }

    private static <T> T get(java.util.concurrent.CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka did not answer: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + CALL_TIMEOUT.toSeconds() + " s", e);
        }
    }

    @Override
    public void close() {
        reader.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
