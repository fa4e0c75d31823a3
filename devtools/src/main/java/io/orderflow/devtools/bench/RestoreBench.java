package io.orderflow.devtools.bench;

import io.orderflow.contracts.state.Account;
import io.orderflow.devtools.embedded.EmbeddedKafka;
import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TempDir;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.StoreNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code saga bench --restore N}: how long an instance takes to have its state again after losing its disk. The
 * {@code payment-accounts} changelog is filled with N accounts, as a long-running deployment leaves it; then
 * <ol>
 * <li><b>no standby</b>: an instance with an empty state directory starts and restores every store before it is
 * ready — the time from start until {@code /ready} answers 200 with no restore under way;</li>
 * <li><b>a standby</b>: a second instance joins and keeps standby copies; once they are caught up the first one
 * stops, leaving the group, and the time is from then until the second one runs every task as active and is
 * ready with no restore under way.</li>
 * </ol>
 */
final class RestoreBench {
    private static final int PARTITIONS = 6;

    record Result(long records, long changelogBytes, double aloneSeconds, double takeoverSeconds) {
    }

    private final long records;
    private final PrintStream err = System.err;

    RestoreBench(long records) {
        this.records = records;
    }

    Result run(Lifecycle lifecycle) throws Exception {
        err.println("Starting Kafka (KRaft, single node) ...");
        String bootstrap = lifecycle.own(EmbeddedKafka.builder().start()).bootstrapServers();
        Path state = lifecycle.own(TempDir.create("orderflow-restore-")).path();
        String appId = "orderflow-restore-" + UUID.randomUUID().toString().substring(0, 8);
        String changelog = appId + "-" + StoreNames.PAYMENT_ACCOUNTS + "-changelog";
        long bytes;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(changelog, PARTITIONS, (short) 1).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all()
                    .get(30, TimeUnit.SECONDS);
            bytes = fill(bootstrap, changelog);
        }
        Properties first = props(bootstrap, appId, state.resolve("first"));
        TopicSetup.ensure(first, Duration.ofSeconds(30));

        err.printf(Locale.ROOT, "No standby: an instance without local state restores %,d accounts ...%n", records);
        long start = System.nanoTime();
        OrderflowInstance alone = OrderflowInstance.start(first, Duration.ofMinutes(30));
        // RUNNING comes before the restore ends (Kafka Streams restores on a thread of its own): wait for /ready.
        await(() -> restored(alone), Duration.ofMinutes(30), () -> "the restore: " + readyBody(alone));
        double aloneSeconds = (System.nanoTime() - start) / 1e9;
        err.printf(Locale.ROOT, "  ready, nothing restoring, after %.1f s%n", aloneSeconds);

        int tasks = activeTasks(alone.streams()); // alone in the group: every task
        err.println("A standby: a second instance joins, keeps standby copies; the first one stops ...");
        OrderflowInstance second = lifecycle.own(OrderflowInstance.start(
                props(bootstrap, appId, state.resolve("second")), Duration.ofMinutes(30)));
        await(() -> standbysCaughtUp(second.streams()), Duration.ofMinutes(10),
                () -> "the standbys to catch up: " + describe(second.streams()));
        start = System.nanoTime();
        // A planned stop that leaves the group, so the time is the takeover's alone; without leaving (Kafka
        // Streams' default on close), the group waits session.timeout.ms for the member first.
        alone.streams().close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        alone.close();
        await(() -> second.streams().state() == KafkaStreams.State.RUNNING && activeTasks(second.streams()) == tasks
                        && restored(second),
                Duration.ofMinutes(10), () -> "the second instance to run every task: " + describe(second.streams()));
        double takeoverSeconds = (System.nanoTime() - start) / 1e9;
        err.printf(Locale.ROOT, "  every task active on the second instance %.1f s after the first stopped%n",
                takeoverSeconds);
        return new Result(records, bytes, aloneSeconds, takeoverSeconds);
    }

    private Properties props(String bootstrap, String appId, Path dir) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        props.put(InstanceConfig.PARTITIONS, Integer.toString(PARTITIONS));
        props.put(InstanceConfig.REPLICATION_FACTOR, "1");
        int port = LoopbackPorts.free();
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
        props.put(HttpAuth.MODE, "none"); // loopback only, for the run
        props.put(InstanceConfig.ADVERTISED, "127.0.0.1:" + port);
        return props;
    }

    /** Fills the changelog with one account per customer, on the partition its key hashes to; returns its bytes. */
    private long fill(String bootstrap, String changelog) {
        err.printf(Locale.ROOT, "Writing %,d accounts to %s ...%n", records, changelog);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        long bytes = 0;
        try (AvroSerde<Account> serde = new AvroSerde<>(Account.class, LocalSchemaRegistry.instance());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                     new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                String customer = "restore-c-" + i;
                byte[] key = customer.getBytes(StandardCharsets.UTF_8);
                byte[] value = serde.serializer().serialize(changelog,
                        new Account(customer, "EUR", 1_000L + i, new HashMap<>(), 1L, 0L));
                bytes += key.length + value.length;
                producer.send(new ProducerRecord<>(changelog, Utils.toPositive(Utils.murmur2(key)) % PARTITIONS,
                        customer, value));
            }
            producer.flush();
        }
        return bytes;
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    /** {@code /ready} answers 200 and shows no restore under way. */
    private static boolean restored(OrderflowInstance instance) {
        String body = readyBody(instance);
        return body.startsWith("200 ") && !body.contains("\"restoring\"");
    }

    private static String readyBody(OrderflowInstance instance) {
        try {
            java.net.http.HttpResponse<String> response = HTTP.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + instance.httpPort() + "/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (java.io.IOException e) {
            return "no answer: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static int activeTasks(KafkaStreams streams) {
        int n = 0;
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            n += thread.activeTasks().size();
        }
        return n;
    }

    private static boolean standbysCaughtUp(KafkaStreams streams) {
        int standbys = 0;
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            standbys += thread.standbyTasks().size();
        }
        if (standbys == 0) {
            return false;
        }
        Map<String, Map<Integer, LagInfo>> lags = streams.allLocalStorePartitionLags();
        Map<Integer, LagInfo> accounts = lags.getOrDefault(StoreNames.PAYMENT_ACCOUNTS, Map.of());
        return accounts.size() == PARTITIONS && accounts.values().stream().allMatch(l -> l.offsetLag() == 0);
    }

    private static String describe(KafkaStreams streams) {
        StringBuilder text = new StringBuilder(streams.state().name());
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            text.append(", active ").append(thread.activeTasks().size()).append(", standby ")
                    .append(thread.standbyTasks().size());
        }
        return text.append(", payment-accounts lags ").append(streams.allLocalStorePartitionLags()
                .getOrDefault(StoreNames.PAYMENT_ACCOUNTS, Map.of())).toString();
    }

    private void await(BooleanSupplier condition, Duration atMost, java.util.function.Supplier<String> what) {
        long until = System.nanoTime() + atMost.toNanos();
        long nextReport = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (Lifecycle.signalled()) {
                throw new IllegalStateException("stopped by a signal while waiting for " + what.get());
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException("gave up after " + atMost + " waiting for " + what.get());
            }
            if (System.nanoTime() > nextReport) {
                err.println("  still waiting for " + what.get());
                nextReport += Duration.ofSeconds(30).toNanos();
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }
}
