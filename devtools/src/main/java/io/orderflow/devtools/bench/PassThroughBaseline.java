package io.orderflow.devtools.bench;

import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The exactly-once pass-through baseline: a Streams app that copies {@code order.events} (already full) to a copy
 * topic with the same Streams settings as the saga instance. Its start-up and first rebalance are not counted: the
 * rate runs from the moment the first copied records are visible read_committed to the moment the last are, so it
 * measures the steady copying cost of exactly-once Streams alone.
 */
final class PassThroughBaseline {
    /** How often the copy's committed end offsets are read; bounds the error of the two time stamps. */
    private static final Duration POLL = Duration.ofMillis(20);

    /** What the baseline measured. */
    record Rate(long records, double seconds, double perSecond, double startupSeconds) {
    }

    private PassThroughBaseline() {
    }

    /**
     * @param streamsSettings Streams settings shared with the saga instance (commit interval, producer tuning …); the
     *                        instance's {@link OrderflowConfig#PERFORMANCE_DEFAULTS} apply where these are silent
     * @param copyTopic       an existing, empty topic
     */
    static Rate measure(String bootstrap, Properties streamsSettings, Path stateDir, String run, String copyTopic,
                        Duration timeout) throws InterruptedException {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.ORDER_EVENTS.name(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("bench-source"))
                .to(copyTopic, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("bench-sink"));
        Properties props = new Properties();
        props.putAll(OrderflowConfig.PERFORMANCE_DEFAULTS);
        props.putAll(streamsSettings);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "orderflow-bench-copy-" + run);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        try (KafkaConsumer<byte[], byte[]> offsets = consumer(bootstrap, "read_uncommitted");
             KafkaConsumer<byte[], byte[]> committed = consumer(bootstrap, "read_committed");
             KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            long total = sumEnds(offsets, Topics.ORDER_EVENTS.name());
            List<TopicPartition> copy = partitions(committed, copyTopic);
            CountDownLatch running = new CountDownLatch(1);
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    running.countDown();
                }
            });
            long started = System.nanoTime();
            long deadline = started + timeout.toNanos();
            streams.start();
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the pass-through baseline did not reach RUNNING within " + timeout);
            }
            long firstCopied = 0;
            long firstAt = 0;
            long copied = 0;
            long lastAt = 0;
            while (copied < total && System.nanoTime() < deadline) {
                LockSupport.parkNanos(POLL.toNanos());
                copied = committed.endOffsets(copy).values().stream().mapToLong(Long::longValue).sum();
                lastAt = System.nanoTime();
                if (firstAt == 0 && copied > 0) {
                    firstAt = lastAt;
                    firstCopied = copied;
                }
            }
            if (firstAt == 0 || copied <= firstCopied) {
                return new Rate(copied, 0, 0, (lastAt - started) / 1e9);
            }
            double seconds = (lastAt - firstAt) / 1e9;
            return new Rate(copied - firstCopied, seconds, (copied - firstCopied) / seconds,
                    (firstAt - started) / 1e9);
        }
    }

    private static long sumEnds(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.endOffsets(partitions(consumer, topic)).values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
