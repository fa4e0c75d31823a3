package io.orderflow.verify;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The few admin requests {@code saga verify} makes, each bounded by the timeout and failing with one
 * {@link IllegalStateException} line that says what could not be done against which cluster.
 */
final class AdminCalls {
    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;

    AdminCalls(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** Every non-internal topic name. */
    Set<String> topicNames() {
        return get(admin.listTopics().names(), "listing topics");
    }

    /** Partition count per topic; every topic must exist. */
    Map<String, Integer> partitionCounts(Collection<String> topics) {
        Map<String, TopicDescription> descriptions = get(admin.describeTopics(topics).allTopicNames(),
                "describing topics");
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String topic : topics) {
            counts.put(topic, descriptions.get(topic).partitions().size());
        }
        return counts;
    }

    /** The offset {@code spec} names for each partition, as a consumer with {@code isolation} sees it. */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec,
                                      IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer = get(
                admin.listOffsets(request, new ListOffsetsOptions(isolation)).all(), "listing offsets");
        Map<TopicPartition, Long> offsets = new TreeMap<>(Partitions.ORDER);
        answer.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            // Kafka bounds the call by default.api.timeout.ms; the extra second only guards against a client bug.
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(what);
            }
            if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                throw new IllegalStateException("Kafka at " + bootstrapServers + " refused " + what + ": "
                        + cause.getMessage() + " (pass client security settings with --command-config)", cause);
            }
            throw new IllegalStateException(what + " on Kafka at " + bootstrapServers + " failed: "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }

    private IllegalStateException unreachable(String what) {
        return new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " within "
                + Format.duration(timeout) + " (" + what + "); is --bootstrap-server right and the cluster up? "
                + "Security settings go in --command-config");
    }
}
