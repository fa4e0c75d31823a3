package io.orderflow.server.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dead letters of {@code orderflow.dlq} as operators read them: listed oldest first with their headers decoded
 * (where each came from, why, the exception), filtered by source topic, reason and time, and one shown whole. Any
 * instance answers: the letters are read from the topic (committed records only), not from a store. Each call
 * opens its own consumer, without a group, and closes it.
 */
public final class DeadLetterLog {
    /** A list request reads at most this many letters; a longer log answers {@code complete: false}. */
    static final int MAX_SCAN = 200_000;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final Set<String> DECODED = Set.of(DeadLetters.TOPIC, DeadLetters.PARTITION, DeadLetters.OFFSET,
            DeadLetters.EXCEPTION, DeadLetters.MESSAGE, DeadLetters.REASON, DeadLetters.TRUNCATED,
            DeadLetters.ORIGINAL_SIZE);

    private final Map<String, Object> consumerConfig;

    /** Reads with the instance's own Kafka client settings ({@code streamsProperties}: bootstrap, security). */
    public DeadLetterLog(java.util.Properties streamsProperties) {
        Map<String, Object> config = new HashMap<>(new StreamsConfig(streamsProperties)
                .getRestoreConsumerConfigs("orderflow-dead-letters"));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        this.consumerConfig = Map.copyOf(config);
    }

    /**
     * One dead letter. {@code value} is the record as received (at most 64 KiB, {@code truncated} says when it was
     * cut): text when it is UTF-8 text, else base64 ({@code valueEncoding}); so is {@code key}. {@code headers} are
     * the original record's own, the dead-letter headers being decoded into the fields before them.
     */
    public record Letter(String topic, int partition, long offset, long timestamp, String key,
                         String sourceTopic, Integer sourcePartition, Long sourceOffset, String reason,
                         String exception, String message,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String truncated,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer originalSize,
                         String valueEncoding, String value, Map<String, String> headers) {
    }

    /**
     * A page of letters, oldest first; {@code next} is the {@code from} of the following page; {@code complete}
     * is false when the log is longer than one request reads ({@value #MAX_SCAN} letters): narrow it with
     * {@code from}.
     */
    public record Page(List<Letter> items, String next, boolean complete) {
    }

    /** A position in the log's order (time, partition, offset), written {@code <timestamp>:<partition>:<offset>}. */
    public record Cursor(long timestamp, int partition, long offset) {
        static final Comparator<Letter> ORDER = Comparator.comparingLong(Letter::timestamp)
                .thenComparingInt(Letter::partition).thenComparingLong(Letter::offset);

        /** @throws IllegalArgumentException naming what is wrong */
        public static Cursor parse(String text) {
            String[] parts = text.split(":");
            try {
                if (parts.length == 3) {
                    return new Cursor(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new IllegalArgumentException("from must be an instant such as 2026-12-05T10:00:00Z or the 'next' "
                    + "of a previous page (<timestamp>:<partition>:<offset>), was '" + text + "'");
        }

        /** Whether this cursor sorts before {@code letter} (by timestamp, partition, offset, as {@link #ORDER}). */
        boolean before(Letter letter) {
            int byTime = Long.compare(timestamp, letter.timestamp());
            if (byTime != 0) {
                return byTime < 0;
            }
            int byPartition = Integer.compare(partition, letter.partition());
            return byPartition != 0 ? byPartition < 0 : offset < letter.offset();
        }

        @Override
        public String toString() {
            return timestamp + ":" + partition + ":" + offset;
        }
    }

    /**
     * The first {@code limit} letters after {@code after} (or from {@code since}, or from the start), of records
     * from {@code sourceTopic} and with {@code reason} when those are given.
     */
    public Page list(String sourceTopic, String reason, Instant since, Cursor after, int limit) {
        PriorityQueue<Letter> first = new PriorityQueue<>(Cursor.ORDER.reversed());
        int scanned = 0;
        boolean complete = true;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            Instant start = after != null ? Instant.ofEpochMilli(after.timestamp()) : since;
            if (start == null) {
                consumer.seekToBeginning(partitions);
            } else {
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(p -> times.put(p, start.toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, READ_TIMEOUT);
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp at = found.get(partition);
                    consumer.seek(partition, at == null ? end.get(partition) : at.offset());
                }
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reachedEnd(consumer, end)) {
                if (scanned >= MAX_SCAN) {
                    complete = false;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + Topics.DEAD_LETTERS.name() + " took longer than "
                            + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    scanned++;
                    Letter letter = letter(record);
                    if ((sourceTopic == null || sourceTopic.equals(letter.sourceTopic()))
                            && (reason == null || reason.equals(letter.reason()))
                            && (since == null || letter.timestamp() >= since.toEpochMilli())
                            && (after == null || after.before(letter))) {
                        first.add(letter);
                        if (first.size() > limit + 1) {
                            first.poll();
                        }
                    }
                }
            }
        }
        List<Letter> items = new ArrayList<>(first);
        items.sort(Cursor.ORDER);
        boolean more = items.size() > limit;
        List<Letter> page = more ? List.copyOf(items.subList(0, limit)) : items;
        Letter last = more ? page.get(page.size() - 1) : null;
        return new Page(page, last == null ? null : new Cursor(last.timestamp(), last.partition(), last.offset())
                .toString(), complete);
    }

    /** The letter at {@code partition} and {@code offset}; empty when there is none (no such partition or offset). */
    public Optional<Letter> show(int partition, long offset) {
        return record(partition, offset).map(DeadLetterLog::letter);
    }

    /** The dead-letter record itself at {@code partition} and {@code offset}, as {@link #show} finds it. */
    public Optional<ConsumerRecord<byte[], byte[]>> record(int partition, long offset) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            TopicPartition wanted = new TopicPartition(Topics.DEAD_LETTERS.name(), partition);
            if (!partitions.contains(wanted)) {
                return Optional.empty();
            }
            consumer.assign(List.of(wanted));
            long end = consumer.endOffsets(List.of(wanted), READ_TIMEOUT).get(wanted);
            if (offset >= end) {
                return Optional.empty();
            }
            consumer.seek(wanted, offset);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (consumer.position(wanted, READ_TIMEOUT) <= offset && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() == offset) {
                        return Optional.of(record);
                    }
                    if (record.offset() > offset) {
                        return Optional.empty(); // compacted away, or a transaction marker / aborted record
                    }
                }
            }
            return Optional.empty();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.DEAD_LETTERS.name(), READ_TIMEOUT);
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        partitions.sort(Comparator.comparingInt(TopicPartition::partition));
        return partitions;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey(), READ_TIMEOUT) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code key} is one of the headers a dead letter gets (decoded into {@link Letter}'s fields). */
    public static boolean isDeadLetterHeader(String key) {
        return DECODED.contains(key);
    }

    /** A dead-letter record as {@link Letter}. */
    public static Letter letter(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new TreeMap<>();
        for (Header header : record.headers()) {
            if (!DECODED.contains(header.key())) {
                headers.put(header.key(), header.value() == null ? null : printable(header.value()));
            }
        }
        String partition = DeadLetters.header(record.headers(), DeadLetters.PARTITION);
        String offset = DeadLetters.header(record.headers(), DeadLetters.OFFSET);
        String size = DeadLetters.header(record.headers(), DeadLetters.ORIGINAL_SIZE);
        String text = record.value() == null ? null : text(record.value());
        return new Letter(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key() == null ? null : printable(record.key()),
                DeadLetters.header(record.headers(), DeadLetters.TOPIC),
                partition == null ? null : Integer.valueOf(partition), offset == null ? null : Long.valueOf(offset),
                DeadLetters.header(record.headers(), DeadLetters.REASON),
                DeadLetters.header(record.headers(), DeadLetters.EXCEPTION),
                DeadLetters.header(record.headers(), DeadLetters.MESSAGE),
                DeadLetters.header(record.headers(), DeadLetters.TRUNCATED),
                size == null ? null : Integer.valueOf(size),
                record.value() == null ? null : text != null ? "text" : "base64",
                record.value() == null ? null : text != null ? text : Base64.getEncoder().encodeToString(record.value()),
                headers);
    }

    /** {@code bytes} as text when they are UTF-8 text (line breaks and tabs allowed), else {@code base64:…}. */
    private static String printable(byte[] bytes) {
        String text = text(bytes);
        return text != null ? text : "base64:" + Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code bytes} as text when they are valid UTF-8 without control characters but tab and line breaks. */
    static String text(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return null;
            }
        }
        return text;
    }
}
