package io.orderflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.cli.SagaCommand;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/**
 * Helpers for the {@code saga verify} tests: an Orderflow instance on the embedded broker, JSON ingress, raw
 * {@code read_committed} reads of any topic, and the command run in-process with captured output.
 */
public final class VerifyFixture {
    static final Duration SETTLED = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerifyFixture() {
    }

    /** What a command run printed and returned. */
    public record Result(int code, String out, String err, Duration took) {
        public String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }

        public JsonNode json() {
            try {
                return JSON.readTree(lastLine());
            } catch (IOException e) {
                throw new UncheckedIOException("last line of stdout is not JSON: " + lastLine(), e);
            }
        }

        /** The violations of one invariant in the JSON report, as "key at detail" lines. */
        public List<String> violations(String invariant) {
            List<String> lines = new ArrayList<>();
            for (JsonNode v : json().path("invariants").path(invariant).path("violations")) {
                lines.add(v.path("key").asText() + " at " + v.path("at").asText() + ": " + v.path("detail").asText()
                        + " (expected " + v.path("expected").asText() + ", found " + v.path("found").asText() + ")");
            }
            return lines;
        }
    }

    /** Runs {@code saga args…} in this JVM, as the launcher would. */
    public static Result saga(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SagaCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        long started = System.nanoTime();
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - started));
    }


    /** Waits until each order's latest committed status is {@code wanted}; returns the latest status per order. */
    static Map<String, OrderStatusChanged> awaitStatus(String bootstrap, Collection<String> orderIds,
                                                       OrderStatus... wanted) {
        List<OrderStatus> accepted = List.of(wanted);
        Map<String, OrderStatusChanged> latest = new HashMap<>();
        AvroSerde<OrderStatusChanged> serde = new AvroSerde<>(OrderStatusChanged.class, LocalSchemaRegistry.instance());
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = partitions(consumer, Topics.ORDER_STATUS.name());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(SETTLED).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    OrderStatusChanged change = serde.deserializer().deserialize(record.topic(), record.value());
                    latest.merge(change.getOrderId(), change, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
                }
                return orderIds.stream().allMatch(id -> latest.containsKey(id)
                        && accepted.contains(latest.get(id).getStatus()));
            });
        }
        return latest;
    }

    /** Every committed record of {@code topic} that is there now, in per-partition offset order. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            return records;
        }
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        return partitions;
    }

}
