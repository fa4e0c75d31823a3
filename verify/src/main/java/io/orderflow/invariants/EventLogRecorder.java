package io.orderflow.invariants;

import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.serde.SchemaRegistryException;
import io.orderflow.serde.UnknownSchemaIdException;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes raw Kafka records — as a consumer or a test driver hands them over — into an {@link EventLog}, the same
 * way the topology reads them: ingress values through {@link IngressReader}, everything else through the topics'
 * Avro serdes, dead letters through their headers. One decoding path for {@code saga verify} and for tests.
 *
 * <p>Feed each topic's records in per-partition offset order, and store contents (from the changelog topics or a
 * store) through {@link #recordStore}. An ingress record that cannot be read is logged as such; a Schema Registry
 * that cannot be reached throws {@link io.orderflow.serde.SchemaRegistryException}, because then the check
 * itself cannot be trusted.
 */
public final class EventLogRecorder {
    private static final String DEBEZIUM_ID_HEADER = "id";

    private final EventLog log;
    private final IngressReader ingress;
    private final Deserializer<OrderStatusChanged> statuses;
    private final Deserializer<PaymentReply> paymentReplies;
    private final Deserializer<InventoryReply> inventoryReplies;
    private final Deserializer<Stock> stock;
    private final Deserializer<Account> accounts;
    private final Deserializer<OrderView> orderViews;
    private final Deserializer<CustomerOrders> customerOrders;

    public EventLogRecorder(EventLog log, SchemaRegistry registry) {
        this.log = log;
        this.ingress = new IngressReader(registry);
        this.statuses = Topics.ORDER_STATUS.valueSerde(registry).deserializer();
        this.paymentReplies = Topics.PAYMENT_REPLIES.valueSerde(registry).deserializer();
        this.inventoryReplies = Topics.INVENTORY_REPLIES.valueSerde(registry).deserializer();
        this.stock = new AvroSerde<>(Stock.class, registry).deserializer();
        this.accounts = new AvroSerde<>(Account.class, registry).deserializer();
        this.orderViews = new AvroSerde<>(OrderView.class, registry).deserializer();
        this.customerOrders = new AvroSerde<>(CustomerOrders.class, registry).deserializer();
    }

    public EventLog log() {
        return log;
    }

    /**
     * Adds one record of an ingress or output topic. Records of topics the checker does not read (the command
     * topics, internal topics) are ignored.
     *
     * @return whether the record's topic is one the checker reads
     */
    public boolean record(String topic, int partition, long offset, String key, byte[] value, Headers headers) {
        Coordinates at = Coordinates.of(topic, partition, offset);
        String tooLarge = isIngress(topic) ? tooLarge(key, value, headers) : null;
        if (topic.equals(Topics.ORDER_EVENTS.name())) {
            try {
                requireWithinLimit(tooLarge);
                log.addOrderEvent(at, key, ingress.orderEvent(value),
                        headers == null ? null : DeadLetters.header(headers, DEBEZIUM_ID_HEADER));
            } catch (InvalidRecordException unreadable) {
                log.addUnreadableOrderEvent(at, key, unreadable.getMessage());
            }
        } else if (topic.equals(Topics.INVENTORY_ADJUSTMENTS.name())) {
            try {
                requireWithinLimit(tooLarge);
                log.addAdjustment(at, key, ingress.stockAdjusted(value));
            } catch (InvalidRecordException unreadable) {
                log.addUnreadableAdjustment(at, key, unreadable.getMessage());
            }
        } else if (topic.equals(Topics.PAYMENT_DEPOSITS.name())) {
            try {
                requireWithinLimit(tooLarge);
                log.addDeposit(at, key, ingress.fundsDeposited(value));
            } catch (InvalidRecordException unreadable) {
                log.addUnreadableDeposit(at, key, unreadable.getMessage());
            }
        } else if (topic.equals(Topics.ORDER_STATUS.name())) {
            OrderStatusChanged change = decode(at, key, value, statuses);
            if (change != null) {
                log.addStatus(at, key, change);
            }
        } else if (topic.equals(Topics.PAYMENT_REPLIES.name())) {
            PaymentReply reply = decode(at, key, value, paymentReplies);
            if (reply != null) {
                log.addPaymentReply(at, key, reply);
            }
        } else if (topic.equals(Topics.INVENTORY_REPLIES.name())) {
            InventoryReply reply = decode(at, key, value, inventoryReplies);
            if (reply != null) {
                log.addInventoryReply(at, key, reply);
            }
        } else if (topic.equals(Topics.DEAD_LETTERS.name())) {
            recordDeadLetter(at, key, headers);
        } else {
            return false;
        }
        return true;
    }

    /**
     * Sets one key of a store's final contents; {@code value} null (a changelog tombstone) removes it. Stores the
     * checker does not read are ignored.
     *
     * @return whether the store is one the checker reads
     */
    public boolean recordStore(String store, String key, byte[] value) {
        switch (store) {
            case StoreNames.INVENTORY_STOCK -> log.putStock(key, value == null ? null : stock.deserialize(store, value));
            case StoreNames.PAYMENT_ACCOUNTS ->
                    log.putAccount(key, value == null ? null : accounts.deserialize(store, value));
            case StoreNames.ORDERS_VIEW ->
                    log.putOrderView(key, value == null ? null : orderViews.deserialize(store, value));
            case StoreNames.CUSTOMER_ORDERS_VIEW ->
                    log.putCustomerOrders(key, value == null ? null : customerOrders.deserialize(store, value));
            default -> {
                return false;
            }
        }
        return true;
    }

    private static boolean isIngress(String topic) {
        return topic.equals(Topics.ORDER_EVENTS.name()) || topic.equals(Topics.INVENTORY_ADJUSTMENTS.name())
                || topic.equals(Topics.PAYMENT_DEPOSITS.name());
    }

    /**
     * Why the topology refuses to read this ingress record ({@code TOO_LARGE}), or null: such a record counts as
     * unreadable here, so it must be dead-lettered and never takes effect. Its dead letter may carry only the
     * start of the value ({@code orderflow.truncated}); the check reads dead letters by their headers alone.
     */
    private static String tooLarge(String key, byte[] value, Headers headers) {
        int size = IngressStreams.recordSize(key, value, headers);
        return size <= IngressStreams.MAX_RECORD_BYTES ? null : "record of " + size + " bytes exceeds the ingress "
                + "limit of " + IngressStreams.MAX_RECORD_BYTES + " bytes";
    }

    private static void requireWithinLimit(String tooLarge) {
        if (tooLarge != null) {
            throw new InvalidRecordException(tooLarge);
        }
    }

    private <V> V decode(Coordinates at, String key, byte[] value, Deserializer<V> deserializer) {
        if (value == null) {
            log.addUnreadableOutput(at, key, "null value");
            return null;
        }
        try {
            return deserializer.deserialize(at.topic(), value);
        } catch (SchemaRegistryException e) {
            if (!(e instanceof UnknownSchemaIdException)) {
                // An unreachable registry says nothing about the record: fail rather than count it unreadable.
                throw e;
            }
            log.addUnreadableOutput(at, key, e.getMessage());
            return null;
        } catch (RuntimeException e) {
            log.addUnreadableOutput(at, key, e.getMessage());
            return null;
        }
    }

    private void recordDeadLetter(Coordinates at, String key, Headers headers) {
        String topic = headers == null ? null : DeadLetters.header(headers, DeadLetters.TOPIC);
        String partition = headers == null ? null : DeadLetters.header(headers, DeadLetters.PARTITION);
        String offset = headers == null ? null : DeadLetters.header(headers, DeadLetters.OFFSET);
        if (topic == null || partition == null || offset == null) {
            log.addUnreadableOutput(at, key, "dead letter without " + DeadLetters.TOPIC + ", " + DeadLetters.PARTITION
                    + " and " + DeadLetters.OFFSET + " headers");
            return;
        }
        Coordinates source;
        try {
            source = Coordinates.of(topic, Integer.parseInt(partition), Long.parseLong(offset));
        } catch (NumberFormatException e) {
            log.addUnreadableOutput(at, key, "dead letter with unreadable source headers: partition '" + partition
                    + "', offset '" + offset + "'");
            return;
        }
        log.addDeadLetter(new EventLog.DeadLetter(at, source, DeadLetters.header(headers, DeadLetters.REASON),
                DeadLetters.header(headers, DeadLetters.MESSAGE)));
    }
}
