package io.orderflow.server.runtime;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics an application needs before it starts, and refuses to run against topics
 * whose partition count differs from the configured one (co-partitioned joins and replies would
 * route a key to different partitions in different topics).
 */
public final class KafkaTopics {

    /** Pause between checks while new partitions come up on their leaders. */
    private static final Duration READY_POLL = Duration.ofMillis(50);

    private KafkaTopics() {
    }

    /**
     * Creates each missing topic with {@code partitions} partitions and {@code replicationFactor}
     * replicas and leaves existing ones alone. Returns once every partition of a new topic is
     * served by its leader, so producers can write at once.
     *
     * <p>Why wait that long: the broker lists a new topic in its metadata a moment before its
     * partitions are open for writes. An idempotent or transactional producer that writes in that
     * moment can get stuck on OUT_OF_ORDER_SEQUENCE_NUMBER and lose or abort the batch
     * (KAFKA-15591, still present in Kafka 4.3.1).
     *
     * @throws IllegalStateException if an existing topic has a different partition count (nothing is
     *                               created then), if a topic cannot be created (with Kafka's reason),
     *                               or if {@code timeout} passes first
     */
    public static void ensure(Admin admin, Collection<String> names, int partitions, short replicationFactor,
                              Duration timeout) {
        ensure(admin, names, partitions, replicationFactor, timeout, Map.of());
    }

    /** {@link #ensure(Admin, Collection, int, short, Duration)}, creating missing topics with {@code configs}. */
    public static void ensure(Admin admin, Collection<String> names, int partitions, short replicationFactor,
                              Duration timeout, Map<String, String> configs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
        }
        Set<String> topics = new LinkedHashSet<>(names);
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();

        Map<String, Integer> existing = partitionCounts(admin, topics, deadline);
        requireSamePartitions(existing, partitions);

        List<String> missing = topics.stream().filter(t -> !existing.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            create(admin, missing, partitions, replicationFactor, configs, deadline);
            awaitListed(admin, missing, partitions, deadline);
            awaitLeadersServing(admin, missing, partitions, deadline);
        }
    }

    private static void create(Admin admin, List<String> topics, int partitions, short replicationFactor,
                               Map<String, String> configs, long deadline) {
        List<NewTopic> newTopics = topics.stream()
            .map(name -> new NewTopic(name, partitions, replicationFactor).configs(configs))
            .toList();
        Map<String, KafkaFuture<Void>> results = admin
            .createTopics(newTopics, new CreateTopicsOptions().timeoutMs(remainingMillis(deadline)))
            .values();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                await(result.getValue(), deadline, "creating topic " + result.getKey());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                    throw notAuthorized("CREATE", result.getKey(), e.getCause());
                }
                // Someone else created it meanwhile: its partition count is checked once it is listed.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    failures.add("topic " + result.getKey() + " (" + partitions + " partitions, replication factor "
                        + replicationFactor + "): " + e.getCause().getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("Cannot create " + String.join("; ", failures));
        }
    }

    /** Waits until the broker lists the new topics, then checks their partition counts too. */
    private static void awaitListed(Admin admin, List<String> topics, int partitions, long deadline) {
        Map<String, Integer> listed = partitionCounts(admin, topics, deadline);
        while (!listed.keySet().containsAll(topics) && deadline - System.nanoTime() > 0) {
            pause(topics);
            listed = partitionCounts(admin, topics, deadline);
        }
        requireSamePartitions(listed, partitions);
        if (!listed.keySet().containsAll(topics)) {
            Set<String> unlisted = new LinkedHashSet<>(topics);
            unlisted.removeAll(listed.keySet());
            throw new IllegalStateException("Created topics " + unlisted + " but the broker does not list them yet");
        }
    }

    /**
     * Waits until each partition's leader answers a ListOffsets request: the same check of the
     * partition's state that a produce request goes through.
     */
    private static void awaitLeadersServing(Admin admin, List<String> topics, int partitions, long deadline) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String topic : topics) {
            for (int partition = 0; partition < partitions; partition++) {
                request.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
        }
        ExecutionException lastFailure;
        do {
            try {
                await(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(remainingMillis(deadline))).all(),
                    deadline, "waiting for the leaders of " + topics);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException("Created topics " + topics + " but their leaders do not serve them: "
                        + e.getCause().getMessage(), e.getCause());
                }
                lastFailure = e;
                pause(topics);
            }
        } while (deadline - System.nanoTime() > 0);
        throw new IllegalStateException("Created topics " + topics + " but their leaders do not serve them yet: "
            + lastFailure.getCause().getMessage(), lastFailure.getCause());
    }

    /** Names what was refused and what grants it; the same cause for every topic, so the first is enough. */
    private static IllegalStateException notAuthorized(String operation, String topic, Throwable cause) {
        return new IllegalStateException("This principal is not authorized to " + operation + " topic " + topic
            + " (" + cause.getMessage() + "). Grant the ACLs that 'saga acls --role streams --principal User:<name>' "
            + "prints (docs/operations.md, Kafka security)", cause);
    }

    /** Partition count of each of {@code topics} that exists; absent topics are left out. */
    private static Map<String, Integer> partitionCounts(Admin admin, Collection<String> topics, long deadline) {
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin
            .describeTopics(topics, new DescribeTopicsOptions().timeoutMs(remainingMillis(deadline)))
            .topicNameValues();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> description : descriptions.entrySet()) {
            try {
                TopicDescription topic = await(description.getValue(), deadline, "describing topic " + description.getKey());
                counts.put(description.getKey(), topic.partitions().size());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                    throw notAuthorized("DESCRIBE", description.getKey(), e.getCause());
                }
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Cannot describe topic " + description.getKey() + ": "
                        + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return counts;
    }

    private static void requireSamePartitions(Map<String, Integer> counts, int partitions) {
        List<String> mismatches = counts.entrySet().stream()
            .filter(e -> e.getValue() != partitions)
            .map(e -> "topic " + e.getKey() + " has " + e.getValue() + " partitions but " + partitions
                + " are configured")
            .toList();
        if (!mismatches.isEmpty()) {
            throw new IllegalStateException(String.join("; ", mismatches)
                + " (co-partitioned topics must agree; recreate the topic or change the configured count)");
        }
    }

    private static <T> T await(KafkaFuture<T> future, long deadline, String what) throws ExecutionException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        }
    }

    private static void pause(Collection<String> topics) {
        try {
            TimeUnit.MILLISECONDS.sleep(READY_POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topics " + topics, e);
        }
    }

    private static int remainingMillis(long deadline) {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
    }
}
