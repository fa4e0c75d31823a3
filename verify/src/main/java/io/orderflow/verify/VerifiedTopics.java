package io.orderflow.verify;

import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which topics {@code saga verify} needs, for one {@code application.id}: every Orderflow topic must exist; the
 * ingress and output topics and the changelogs of the four stores whose final state the checker compares are
 * read; the changelogs of every store keyed the way its task is partitioned are checked for placement; and every
 * Orderflow topic plus every internal topic of the application is checked for open transactions.
 */
final class VerifiedTopics {
    /** The stores whose final contents {@link io.orderflow.invariants.InvariantChecker} checks. */
    static final List<String> CHECKED_STORES = List.of(StoreNames.INVENTORY_STOCK, StoreNames.PAYMENT_ACCOUNTS,
            StoreNames.ORDERS_VIEW, StoreNames.CUSTOMER_ORDERS_VIEW);

    /**
     * Stores whose changelogs are read only to check {@link io.orderflow.invariants.Invariant#PLACEMENT}: keyed by
     * the same id as their task's input, like the checked stores. (The per-order stores of the ledger and inventory
     * live in tasks partitioned by customer and sku, and the dedupe stores by event, so their keys say nothing of
     * their partition.)
     */
    static final List<String> PLACEMENT_ONLY_STORES = List.of(StoreNames.ORDER_SAGA);

    /**
     * The topics the checker reads. The command topics are left out: the checker judges the replies, and a
     * command that matters shows up in one.
     */
    static final List<Topic<?>> READ = List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS,
            Topics.PAYMENT_DEPOSITS, Topics.ORDER_STATUS, Topics.PAYMENT_REPLIES, Topics.INVENTORY_REPLIES,
            Topics.DEAD_LETTERS);

    private final String applicationId;
    /** changelog topic → store, in {@link #CHECKED_STORES} order. */
    private final Map<String, String> changelogs = new LinkedHashMap<>();
    /** changelog topic → store, for every store whose placement is checked. */
    private final Map<String, String> placed = new LinkedHashMap<>();

    VerifiedTopics(String applicationId) {
        this.applicationId = applicationId;
        for (String store : CHECKED_STORES) {
            changelogs.put(changelog(applicationId, store), store);
        }
        placed.putAll(changelogs);
        for (String store : PLACEMENT_ONLY_STORES) {
            placed.put(changelog(applicationId, store), store);
        }
    }

    /** Kafka Streams' name for a store's changelog topic. */
    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /** Every Orderflow topic, then the checked stores' changelogs: all must exist. */
    List<String> required() {
        List<String> names = new ArrayList<>();
        Topics.ALL.forEach(t -> names.add(t.name()));
        names.addAll(changelogs.keySet());
        return names;
    }

    /**
     * The topics read: those whose records go into the event log, the checked changelogs, and those of the
     * placement-only changelogs that exist among {@code existing} (an instance creates them when it first runs).
     */
    List<String> read(Collection<String> existing) {
        List<String> names = new ArrayList<>();
        READ.forEach(t -> names.add(t.name()));
        names.addAll(changelogs.keySet());
        placed.keySet().stream().filter(t -> !names.contains(t) && existing.contains(t)).forEach(names::add);
        return names;
    }

    /** Changelog topic → store, for every changelog whose records' placement is checked. */
    Map<String, String> placed() {
        return Collections.unmodifiableMap(placed);
    }

    /** Changelog topic → the checked store it holds. */
    Map<String, String> changelogs() {
        return Collections.unmodifiableMap(changelogs);
    }

    /**
     * Topics to check for open transactions: the required ones and every other internal topic of this
     * application among {@code existing} (changelogs and repartition topics are written in the same
     * transactions as the outputs).
     */
    List<String> transactional(Collection<String> existing) {
        List<String> names = new ArrayList<>(required());
        List<String> internal = new ArrayList<>();
        for (String topic : existing) {
            if (topic.startsWith(applicationId + "-") && (topic.endsWith("-changelog")
                    || topic.endsWith("-repartition")) && !names.contains(topic)) {
                internal.add(topic);
            }
        }
        Collections.sort(internal);
        names.addAll(internal);
        return names;
    }

    /** A hint for a missing changelog: the usual cause. */
    String missingChangelogHint() {
        return "the changelogs are named <application.id>-<store>-changelog; is --application-id (" + applicationId
                + ") the instances' application.id, and has an instance run?";
    }

    boolean isChangelog(String topic) {
        return changelogs.containsKey(topic);
    }
}
