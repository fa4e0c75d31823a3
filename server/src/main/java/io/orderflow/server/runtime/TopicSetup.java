package io.orderflow.server.runtime;

import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Orderflow's topics that are missing, with the configured partitions and replication factor (default:
 * 3, or the number of brokers when there are fewer); and the changelogs of stores added after release 1
 * ({@link #ADDED_STORES}).
 *
 * <p>Why those: Kafka Streams creates internal topics from the group leader's topology. During a rolling upgrade the
 * leader may still run the previous release, which knows nothing of a new store, so the new instances would wait for
 * its changelog forever (the rolling-upgrade test showed it). Created here, it exists whichever instance leads.
 */
public final class TopicSetup {
    private TopicSetup() {
    }

    public static void ensure(Properties props, Duration timeout) {
        Map<String, Object> settings = InstanceConfig.values(props);
        int partitions = (Integer) settings.get(InstanceConfig.PARTITIONS);
        Integer replicationFactor = (Integer) settings.get(InstanceConfig.REPLICATION_FACTOR);
        int replication = replicationFactor == null ? 0 : replicationFactor;
        Properties admin = new Properties();
        admin.putAll(props);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        List<String> names = Topics.ALL.stream().map(Topic::name).toList();
        try (Admin client = Admin.create(admin)) {
            if (replication == 0) {
                replication = Math.min(3, brokers(client, props.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG),
                        timeout));
            }
            KafkaTopics.ensure(client, names, partitions, (short) replication, timeout);
            String applicationId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG, OrderflowConfig.APPLICATION_ID);
            KafkaTopics.ensure(client, ADDED_STORES.stream().map(store -> applicationId + "-" + store + "-changelog")
                    .toList(), partitions, (short) replication, timeout, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT));
        }
    }

    /** Key-value stores a previous release's topology does not have (release 5: the saga's timeline). */
    static final List<String> ADDED_STORES = List.of(StoreNames.SAGA_TIMELINE);

    private static int brokers(Admin client, String bootstrap, Duration timeout) {
        try {
            return client.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + bootstrap
                    + " to create topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
