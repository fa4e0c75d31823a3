package io.orderflow.devtools.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * How far the logs of a set of topics grew during a run: end offsets summed per kind of topic (the application's
 * topics, its changelogs, its repartition topics), before and after. An offset is a record or a transaction marker
 * (every committed transaction writes one to each partition it touched), so this counts what the broker appended.
 *
 * @param offsets end offsets summed per kind: {@code topics}, {@code changelogs}, {@code repartitions} and
 *                {@code coordinators} (the broker's own {@code __consumer_offsets} and {@code __transaction_state},
 *                which every exactly-once commit writes to)
 * @param topics  end offsets summed per topic
 */
record LogGrowth(Map<String, Long> offsets, Map<String, Long> topics) {
    static final String TOPICS = "topics";
    static final String CHANGELOGS = "changelogs";
    static final String REPARTITIONS = "repartitions";
    static final String COORDINATORS = "coordinators";

    /** The end offsets now of every topic {@code include} accepts, summed per kind. */
    static LogGrowth snapshot(Admin admin, Predicate<String> include) throws ExecutionException, InterruptedException {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get().stream()
                .filter(include).collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription topic : admin.describeTopics(names).allTopicNames().get().values()) {
            topic.partitions().forEach(p -> request.put(new TopicPartition(topic.name(), p.partition()),
                    OffsetSpec.latest()));
        }
        Map<String, Long> sums = new TreeMap<>();
        Map<String, Long> topics = new TreeMap<>();
        admin.listOffsets(request).all().get().forEach((partition, info) -> {
            sums.merge(kindOf(partition.topic()), info.offset(), Long::sum);
            topics.merge(partition.topic(), info.offset(), Long::sum);
        });
        return new LogGrowth(sums, topics);
    }

    static String kindOf(String topic) {
        if (topic.startsWith("__")) {
            return COORDINATORS;
        }
        if (topic.endsWith("-changelog")) {
            return CHANGELOGS;
        }
        return topic.endsWith("-repartition") ? REPARTITIONS : TOPICS;
    }

    LogGrowth minus(LogGrowth before) {
        return new LogGrowth(difference(offsets, before.offsets), difference(topics, before.topics));
    }

    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> diff = new TreeMap<>(after);
        before.forEach((key, n) -> diff.merge(key, -n, Long::sum));
        return diff;
    }

    long total() {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    double perSaga(long sagas) {
        return total() / (double) Math.max(1, sagas);
    }

    double perSaga(String kind, long sagas) {
        return offsets.getOrDefault(kind, 0L) / (double) Math.max(1, sagas);
    }

    /**
     * Offsets appended per saga to each topic that grew by at least 0.05 per saga, most first; {@code prefix} (the
     * application id and a dash) is left off internal topics' names.
     */
    String renderTopics(long sagas, String prefix) {
        double n = Math.max(1, sagas);
        return topics.entrySet().stream()
                .filter(e -> e.getValue() / n >= 0.05)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey().startsWith(prefix)
                        ? e.getKey().substring(prefix.length()) : e.getKey(), e.getValue() / n))
                .collect(Collectors.joining(", "));
    }

    /** One line for the bench's report: offsets appended per saga, in all and per kind of topic. */
    String render(long sagas) {
        double n = Math.max(1, sagas);
        return String.format(Locale.ROOT, "%.1f offsets appended per saga (records and transaction markers): "
                        + "topics %.1f, changelogs %.1f, repartitions %.1f, coordinators %.1f",
                total() / n, offsets.getOrDefault(TOPICS, 0L) / n, offsets.getOrDefault(CHANGELOGS, 0L) / n,
                offsets.getOrDefault(REPARTITIONS, 0L) / n, offsets.getOrDefault(COORDINATORS, 0L) / n);
    }
}
