package io.orderflow.server.runtime;

import io.orderflow.server.runtime.KafkaTopics;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Orderflow's topics that are missing, with the configured partitions and replication factor (default:
 * 3, or the number of brokers when there are fewer).
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
        }
    }

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
