package io.orderflow.verify;

import io.orderflow.invariants.EventLogRecorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Reads topics with {@code isolation.level=read_committed} from given start offsets up to given end offsets (the
 * cut {@link OpenTransactionCheck} took) and hands every record, in per-partition offset order, to an
 * {@link EventLogRecorder}: changelog records as store contents ({@link EventLogRecorder#recordStore}), all others
 * as topic records. Records written after the cut are left out, so a cluster still receiving traffic yields one
 * consistent cut rather than a moving target.
 *
 * <p>No consumer group is used and nothing is committed. Reading fails with an {@link IllegalStateException}
 * when no partition advances for the stall timeout, or when a record cannot be decoded because the Schema
 * Registry cannot answer.
 */
final class TopicLogReader {
    private static final Duration POLL = Duration.ofMillis(200);

    private final Properties consumerConfig;
    private final Duration stallTimeout;
    private final ReadProgress progress;

    /**
     * @param clientConfig Kafka client settings: {@code bootstrap.servers} and any security settings
     * @param stallTimeout how long reading may go without any partition advancing
     */
    TopicLogReader(Properties clientConfig, Duration stallTimeout, ReadProgress progress) {
        this.consumerConfig = new Properties();
        consumerConfig.putAll(clientConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        consumerConfig.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "orderflow-verify");
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, stallTimeout.toMillis());
        consumerConfig.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(timeoutMs));
        consumerConfig.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(timeoutMs, 30_000)));
        this.stallTimeout = stallTimeout;
        this.progress = progress;
    }

    /**
     * Reads every partition in {@code upTo} from its offset in {@code from} up to (excluding) its offset in
     * {@code upTo}.
     *
     * @param storeOfChangelog the store a topic is the changelog of, or none for an ordinary topic
     * @param placement        shown every record, to check changelog records' partitions
     * @return how many records went to the recorder
     */
    long read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> upTo, Map<String, String> storeOfChangelog,
              PlacementCheck placement, EventLogRecorder recorder) {
        Map<String, Long> totals = new LinkedHashMap<>();
        Map<TopicPartition, Long> position = new HashMap<>();
        Set<TopicPartition> remaining = new TreeSet<>(Partitions.ORDER);
        for (Map.Entry<TopicPartition, Long> entry : upTo.entrySet()) {
            TopicPartition tp = entry.getKey();
            long start = Math.min(from.getOrDefault(tp, 0L), entry.getValue());
            totals.merge(tp.topic(), entry.getValue() - start, Long::sum);
            position.put(tp, start);
            if (start < entry.getValue()) {
                remaining.add(tp);
            }
        }
        progress.start(totals);
        long records = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(remaining);
            remaining.forEach(tp -> consumer.seek(tp, position.get(tp)));
            long lastAdvance = System.nanoTime();
            while (!remaining.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < upTo.get(tp)) {
                        placement.observe(record.topic(), record.partition(), record.offset(), record.key());
                        dispatch(record, storeOfChangelog.get(record.topic()), recorder);
                        records++;
                    }
                }
                boolean advanced = false;
                for (TopicPartition tp : List.copyOf(remaining)) {
                    long now = consumer.position(tp);
                    advanced |= now > position.get(tp);
                    position.put(tp, now);
                    if (now >= upTo.get(tp)) {
                        remaining.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                if (advanced) {
                    lastAdvance = System.nanoTime();
                } else if (System.nanoTime() - lastAdvance > stallTimeout.toNanos()) {
                    throw stalled(remaining, position, upTo);
                }
                progress.update(readPerTopic(position, from, upTo));
            }
        } catch (KafkaException e) {
            throw new IllegalStateException("reading from Kafka at "
                    + consumerConfig.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) + " failed: "
                    + e.getMessage(), e);
        }
        progress.finish(records);
        return records;
    }

    private static void dispatch(ConsumerRecord<String, byte[]> record, String store, EventLogRecorder recorder) {
        try {
            if (store != null) {
                recorder.recordStore(store, record.key(), record.value());
            } else {
                recorder.record(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                        record.headers());
            }
        } catch (RuntimeException e) {
            // Output records that cannot be decoded are violations the recorder logs itself; what arrives here
            // (a store value that cannot be decoded, a Schema Registry that cannot answer) makes the check itself
            // untrustworthy.
            throw new IllegalStateException("cannot read " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + (store == null ? "" : " (store " + store + ")") + ": " + e.getMessage()
                    + "; is --schema-registry the one the instances use?", e);
        }
    }

    private static Map<String, Long> readPerTopic(Map<TopicPartition, Long> position, Map<TopicPartition, Long> from,
                                                  Map<TopicPartition, Long> upTo) {
        Map<String, Long> read = new HashMap<>();
        position.forEach((tp, at) -> {
            long start = Math.min(from.getOrDefault(tp, 0L), upTo.get(tp));
            read.merge(tp.topic(), Math.min(at, upTo.get(tp)) - start, Long::sum);
        });
        return read;
    }

    private IllegalStateException stalled(Set<TopicPartition> remaining, Map<TopicPartition, Long> position,
                                          Map<TopicPartition, Long> upTo) {
        StringJoiner where = new StringJoiner(", ");
        List<TopicPartition> first = new ArrayList<>(remaining).subList(0, Math.min(5, remaining.size()));
        first.forEach(tp -> where.add(tp + " at offset " + position.get(tp) + " of " + upTo.get(tp)));
        return new IllegalStateException("reading made no progress for " + Format.duration(stallTimeout) + " ("
                + remaining.size() + " partitions unfinished: " + where + (remaining.size() > 5 ? ", …" : "")
                + "); is Kafka at " + consumerConfig.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                + " still up?");
    }
}
