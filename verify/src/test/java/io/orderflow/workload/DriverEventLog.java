package io.orderflow.workload;

import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.OrderflowDriver;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.invariants.Coordinates;
import io.orderflow.invariants.EventLog;
import io.orderflow.invariants.EventLogRecorder;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fills an {@link EventLog} from an {@link OrderflowDriver} the way {@code saga verify} fills one from Kafka: every
 * ingress record piped through here is logged with the coordinates the driver gives it (one partition, offsets
 * from 0 per topic in pipe order), output topics are read raw and decoded by {@link EventLogRecorder}, and
 * {@link #finish()} adds the final stores.
 *
 * <p>Reading drains: the driver's own typed read methods see nothing of what this has read.
 */
final class DriverEventLog {
    private static final List<Topic<?>> CHECKED_OUTPUTS = List.of(Topics.ORDER_STATUS, Topics.PAYMENT_REPLIES,
            Topics.INVENTORY_REPLIES, Topics.DEAD_LETTERS);
    private static final Set<String> INGRESS = Set.of(Topics.ORDER_EVENTS.name(),
            Topics.INVENTORY_ADJUSTMENTS.name(), Topics.PAYMENT_DEPOSITS.name());

    private final OrderflowDriver driver;
    private final EventLog log = new EventLog();
    private final EventLogRecorder recorder;
    private final Map<String, Long> nextOffset = new HashMap<>();
    private final Map<String, TestOutputTopic<String, byte[]>> outputs = new HashMap<>();
    private final Map<String, TestOutputTopic<byte[], byte[]>> discarded = new HashMap<>();

    DriverEventLog(OrderflowDriver driver) {
        this.driver = driver;
        this.recorder = new EventLogRecorder(log, driver.registry());
    }

    /** Pipes one ingress record and logs it; returns where the driver put it. */
    Coordinates pipe(Topic<byte[]> topic, String key, byte[] value) {
        Coordinates at = Coordinates.of(topic.name(), 0, nextOffset.merge(topic.name(), 1L, Long::sum) - 1);
        if (topic.equals(Topics.ORDER_EVENTS)) {
            driver.pipeOrderEvent(key, value);
        } else if (topic.equals(Topics.INVENTORY_ADJUSTMENTS)) {
            driver.pipeAdjustment(key, value);
        } else if (topic.equals(Topics.PAYMENT_DEPOSITS)) {
            driver.pipeDeposit(key, value);
        } else {
            throw new IllegalArgumentException(topic + " is not an ingress topic");
        }
        recorder.record(at.topic(), at.partition(), at.offset(), key, value, new RecordHeaders());
        return at;
    }

    /**
     * Reads everything written so far: the checked outputs into the log, every other produced topic (commands,
     * repartition and changelog topics) into nothing, so a long run does not hold them all in memory.
     */
    void drain() {
        for (Topic<?> topic : CHECKED_OUTPUTS) {
            TestOutputTopic<String, byte[]> output = output(topic.name());
            while (!output.isEmpty()) {
                TestRecord<String, byte[]> record = output.readRecord();
                long offset = nextOffset.merge(topic.name(), 1L, Long::sum) - 1;
                recorder.record(topic.name(), 0, offset, record.key(), record.value(), record.headers());
            }
        }
        for (String name : driver.driver().producedTopicNames()) {
            if (!INGRESS.contains(name) && CHECKED_OUTPUTS.stream().noneMatch(t -> t.name().equals(name))) {
                TestOutputTopic<byte[], byte[]> output = discarded.computeIfAbsent(name, n -> driver.driver()
                        .createOutputTopic(n, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer()));
                while (!output.isEmpty()) {
                    output.readRecord();
                }
            }
        }
    }

    /** Drains the outputs and adds the final stores; the log is complete. */
    EventLog finish() {
        drain();
        for (String store : List.of(StoreNames.INVENTORY_STOCK, StoreNames.PAYMENT_ACCOUNTS, StoreNames.ORDERS_VIEW,
                StoreNames.CUSTOMER_ORDERS_VIEW)) {
            KeyValueStore<String, Object> values = driver.store(store);
            try (KeyValueIterator<String, Object> all = values.all()) {
                while (all.hasNext()) {
                    KeyValue<String, Object> entry = all.next();
                    put(store, entry.key, entry.value);
                }
            }
        }
        return log;
    }

    EventLog log() {
        return log;
    }

    private void put(String store, String key, Object value) {
        switch (store) {
            case StoreNames.INVENTORY_STOCK -> log.putStock(key, (Stock) value);
            case StoreNames.PAYMENT_ACCOUNTS -> log.putAccount(key, (Account) value);
            case StoreNames.ORDERS_VIEW -> log.putOrderView(key, (OrderView) value);
            case StoreNames.CUSTOMER_ORDERS_VIEW ->
                    log.putCustomerOrders(key, (CustomerOrders) value);
            default -> throw new IllegalArgumentException("not a checked store: " + store);
        }
    }

    private TestOutputTopic<String, byte[]> output(String name) {
        return outputs.computeIfAbsent(name, n -> driver.driver().createOutputTopic(n,
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer()));
    }
}
