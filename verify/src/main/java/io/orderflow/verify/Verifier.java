package io.orderflow.verify;

import io.orderflow.invariants.EventLog;
import io.orderflow.invariants.EventLogRecorder;
import io.orderflow.invariants.InvariantChecker;
import io.orderflow.invariants.InvariantReport;
import io.orderflow.serde.SchemaRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code saga verify} as a library: checks DESIGN's consistency invariants against a running cluster from the
 * topics alone. It finds every Orderflow topic and the changelogs of the checked stores, checks for open
 * transactions (which also fixes where reading stops), reads the ingress, output and changelog topics with
 * {@code read_committed} into an {@link EventLog}, and returns {@link InvariantChecker}'s report with
 * {@link io.orderflow.invariants.Invariant#NO_OPEN_TRANSACTIONS} and {@link io.orderflow.invariants.Invariant#PLACEMENT}
 * filled in.
 *
 * <p>Fails with an {@link IllegalArgumentException} for bad settings and an {@link IllegalStateException} for a
 * cluster that cannot be reached within the timeout, a missing topic, or a record the check cannot decode — each
 * with one line that names the cause.
 */
public final class Verifier {
    private final VerifyOptions options;
    private final PrintWriter progress;

    /** @param progress where progress lines go (stderr for the CLI) */
    public Verifier(VerifyOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    /** What was read and what the check found. */
    public record Verification(EventLog log, InvariantReport report) {
    }

    public InvariantReport run() {
        return verify().report();
    }

    /** Like {@link #run()}, keeping the records read, for callers that report more than the invariants. */
    public Verification verify() {
        VerifiedTopics topics = new VerifiedTopics(options.applicationId());
        Properties client = clientConfig();
        SchemaRegistry registry = SchemaRegistry.fromUrl(options.schemaRegistryUrl());
        Admin admin = createAdmin(client);
        try {
            AdminCalls calls = new AdminCalls(admin, options.bootstrapServers(), options.timeout());
            Set<String> existing = calls.topicNames();
            requireTopics(topics, existing);

            List<String> transactional = topics.transactional(existing);
            Map<String, Integer> partitionCounts = calls.partitionCounts(transactional);
            OpenTransactionCheck.Outcome transactions = OpenTransactionCheck.check(calls,
                    Partitions.of(partitionCounts), settle());

            Map<String, Integer> readCounts = new LinkedHashMap<>();
            topics.read(existing).forEach(t -> readCounts.put(t, partitionCounts.get(t)));
            List<TopicPartition> readPartitions = Partitions.of(readCounts);
            Map<TopicPartition, Long> from = calls.offsets(readPartitions, OffsetSpec.earliest(),
                    IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> upTo = new LinkedHashMap<>();
            readPartitions.forEach(tp -> upTo.put(tp, transactions.readUpTo().get(tp)));

            EventLog log = new EventLog();
            PlacementCheck placement = new PlacementCheck(topics.placed(), partitionCounts);
            new TopicLogReader(client, options.timeout(), new ReadProgress(progress, System::nanoTime))
                    .read(from, upTo, topics.changelogs(), placement, new EventLogRecorder(log, registry));
            return new Verification(log, InvariantChecker.check(log).with(transactions.result())
                    .with(placement.result()));
        } finally {
            // Pending admin calls are already bounded by the timeout; do not wait on them again.
            admin.close(Duration.ZERO);
            registry.close();
        }
    }

    private Duration settle() {
        return options.timeout().compareTo(OpenTransactionCheck.SETTLE) < 0 ? options.timeout()
                : OpenTransactionCheck.SETTLE;
    }

    private static void requireTopics(VerifiedTopics topics, Set<String> existing) {
        List<String> missing = new ArrayList<>();
        for (String topic : topics.required()) {
            if (!existing.contains(topic)) {
                missing.add(topic);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        boolean changelogsOnly = missing.stream().allMatch(topics::isChangelog);
        throw new IllegalStateException((missing.size() == 1 ? "topic " : "topics ") + String.join(", ", missing)
                + (missing.size() == 1 ? " does" : " do") + " not exist: "
                + (changelogsOnly ? topics.missingChangelogHint()
                : "is this Orderflow's cluster, and has an instance (saga run) created its topics?"));
    }

    private Properties clientConfig() {
        Properties props = new Properties();
        props.putAll(options.clientConfig());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        return props;
    }

    private Admin createAdmin(Properties client) {
        Properties props = new Properties();
        props.putAll(client);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(timeoutMs, 30_000)));
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "orderflow-verify-admin");
        try {
            return Admin.create(props);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad Kafka client setting: " + e.getMessage(), e);
        } catch (KafkaException e) {
            String cause = e.getCause() == null ? e.getMessage() : e.getMessage() + ": " + e.getCause().getMessage();
            throw new IllegalStateException("cannot connect to Kafka at " + options.bootstrapServers() + ": " + cause,
                    e);
        }
    }
}
