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
 */
record LogGrowth(Map<String, Long> offsets) {
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
        admin.listOffsets(request).all().get().forEach((partition, info) ->
                sums.merge(kindOf(partition.topic()), info.offset(), Long::sum));
        return new LogGrowth(sums);
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
        Map<String, Long> diff = new TreeMap<>(offsets);
        before.offsets.forEach((kind, n) -> diff.merge(kind, -n, Long::sum));
        return new LogGrowth(diff);
    }

    long total() {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
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
