package io.orderflow.topology;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.Stock;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.saga.ReplyProgress;
import io.orderflow.topology.saga.SagaTopology;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * A {@link TopologyTestDriver} around the real Orderflow topology (or a part of it), with typed inputs and outputs
 * on the same {@link Topics} constants the application uses. Time is driven on purpose: every input carries an
 * explicit timestamp from {@link #now()}, and {@link #advance(Duration)} moves event and wall-clock time together.
 */
public final class OrderflowDriver implements AutoCloseable {
    public static final Duration SAGA_TIMEOUT = Duration.ofSeconds(30);
    /** Short, so tests reach it: ended sagas are purged an hour after they end, per-order records two. */
    public static final Duration RETENTION = Duration.ofHours(1);
    public static final Duration RETENTION_SCAN = Duration.ofSeconds(10);

    private final TopologyTestDriver driver;
    private final Path stateDir;
    private final SchemaRegistry registry = LocalSchemaRegistry.instance();
    private final CountingMetrics metrics;
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private final TestInputTopic<String, byte[]> orderEvents;
    private final TestInputTopic<String, byte[]> adjustments;
    private final TestInputTopic<String, byte[]> deposits;
    private final TestInputTopic<String, PaymentCommand> paymentCommandsIn;
    private final TestInputTopic<String, InventoryCommand> inventoryCommandsIn;
    private final TestInputTopic<String, PaymentReply> paymentRepliesIn;
    private final TestInputTopic<String, InventoryReply> inventoryRepliesIn;
    private final TestInputTopic<String, byte[]> rawPaymentReplies;

    private final TestOutputTopic<String, OrderStatusChanged> status;
    private final TestOutputTopic<String, PaymentCommand> paymentCommands;
    private final TestOutputTopic<String, InventoryCommand> inventoryCommands;
    private final TestOutputTopic<String, PaymentReply> paymentReplies;
    private final TestOutputTopic<String, InventoryReply> inventoryReplies;
    private final TestOutputTopic<String, byte[]> deadLetters;

    private OrderflowDriver(Topology topology, Properties props, Path stateDir, CountingMetrics metrics) {
        this.stateDir = stateDir;
        this.metrics = metrics;
        this.driver = new TopologyTestDriver(topology, props, now);
        var string = Serdes.String();
        orderEvents = input(Topics.ORDER_EVENTS);
        adjustments = input(Topics.INVENTORY_ADJUSTMENTS);
        deposits = input(Topics.PAYMENT_DEPOSITS);
        paymentCommandsIn = input(Topics.PAYMENT_COMMANDS);
        inventoryCommandsIn = input(Topics.INVENTORY_COMMANDS);
        paymentRepliesIn = input(Topics.PAYMENT_REPLIES);
        inventoryRepliesIn = input(Topics.INVENTORY_REPLIES);
        rawPaymentReplies = driver.createInputTopic(Topics.PAYMENT_REPLIES.name(), string.serializer(),
                Serdes.ByteArray().serializer());
        status = output(Topics.ORDER_STATUS);
        paymentCommands = output(Topics.PAYMENT_COMMANDS);
        inventoryCommands = output(Topics.INVENTORY_COMMANDS);
        paymentReplies = output(Topics.PAYMENT_REPLIES);
        inventoryReplies = output(Topics.INVENTORY_REPLIES);
        deadLetters = output(Topics.DEAD_LETTERS);
    }

    /** The whole application topology. */
    public static OrderflowDriver full() {
        return full(config());
    }

    /** The whole application topology, built with {@code config}. */
    public static OrderflowDriver full(OrderflowConfig config) {
        return create(config, null);
    }

    /**
     * Only the saga: commands go out and nothing answers, so a test plays the ledger and inventory by piping
     * replies itself — the way to drive timeouts, late replies and any interleaving.
     */
    public static OrderflowDriver sagaOnly() {
        return sagaOnly(ReplyProgress.WALL_CLOCK);
    }

    /** Only the saga, its deadlines judged against {@code progress} of the reply path as well as the wall clock. */
    public static OrderflowDriver sagaOnly(ReplyProgress progress) {
        return create(config(), (builder, metrics) -> SagaTopology.addTo(builder, config(),
                LocalSchemaRegistry.instance(), metrics, progress, io.orderflow.topology.tracing.StepTracer.OFF));
    }

    /** Only the saga, each step traced by {@code tracer}. */
    public static OrderflowDriver sagaOnly(io.orderflow.topology.tracing.StepTracer tracer) {
        return create(config(), (builder, metrics) -> SagaTopology.addTo(builder, config(),
                LocalSchemaRegistry.instance(), metrics, ReplyProgress.WALL_CLOCK, tracer));
    }

    private static OrderflowDriver create(OrderflowConfig config, BiConsumer<StreamsBuilder, OrderflowMetrics> part) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("orderflow-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "ttd:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Properties streams = OrderflowConfig.streamsProperties(props);
        CountingMetrics metrics = new CountingMetrics();
        streams.put(DeadLetterDeserializationHandler.METRICS_CONFIG, metrics);
        Topology topology;
        if (part == null) {
            topology = OrderflowTopology.build(config, LocalSchemaRegistry.instance(), metrics, streams);
        } else {
            StreamsBuilder builder = new StreamsBuilder();
            part.accept(builder, metrics);
            topology = builder.build(streams);
        }
        return new OrderflowDriver(topology, streams, stateDir, metrics);
    }

    public static OrderflowConfig config() {
        return new OrderflowConfig(SAGA_TIMEOUT, Duration.ofHours(24), Duration.ofSeconds(1), RETENTION,
                RETENTION_SCAN, "local:", OrderflowConfig.DEFAULT_PARTITIONS);
    }

    // ---- inputs ---------------------------------------------------------------------------------------------

    public Instant now() {
        return now;
    }

    /** Moves event time and wall-clock time forward together; due punctuations fire. */
    public void advance(Duration duration) {
        now = now.plus(duration);
        driver.advanceWallClockTime(duration);
    }

    public void pipeOrderJson(String key, String json) {
        orderEvents.pipeInput(new TestRecord<>(key, bytes(json), now));
    }

    public void pipeOrderEvent(String key, byte[] value) {
        orderEvents.pipeInput(new TestRecord<>(key, value, now));
    }

    public void pipeOrderEvent(String key, byte[] value, Headers headers) {
        orderEvents.pipeInput(new TestRecord<>(key, value, headers, now));
    }

    public void place(String eventId, String orderId, String customerId, String currency, OrderLine... lines) {
        OrderEvent event = new OrderEvent(eventId, orderId,
                new OrderPlaced(customerId, currency, new ArrayList<>(Arrays.asList(lines)), null));
        pipeOrderEvent(orderId, IngressJson.write(event));
    }

    /** An OrderPlaced with a note from the customer. */
    public void placeWithNote(String eventId, String orderId, String customerId, String note, OrderLine... lines) {
        OrderEvent event = new OrderEvent(eventId, orderId,
                new OrderPlaced(customerId, "EUR", new ArrayList<>(Arrays.asList(lines)), note));
        pipeOrderEvent(orderId, IngressJson.write(event));
    }

    /** An OrderPlaced whose record carries {@code placedAt} rather than now (a re-published or late record). */
    public void placeAt(Instant placedAt, String eventId, String orderId, String customerId, String currency,
                        OrderLine... lines) {
        OrderEvent event = new OrderEvent(eventId, orderId,
                new OrderPlaced(customerId, currency, new ArrayList<>(Arrays.asList(lines)), null));
        orderEvents.pipeInput(new TestRecord<>(orderId, IngressJson.write(event), placedAt));
    }

    public void cancel(String eventId, String orderId) {
        pipeOrderEvent(orderId, IngressJson.write(new OrderEvent(eventId, orderId, new OrderCancelRequested())));
    }

    public void deposit(String eventId, String customerId, long amount, String currency) {
        deposits.pipeInput(new TestRecord<>(customerId,
                IngressJson.write(new FundsDeposited(eventId, customerId, amount, currency)), now));
    }

    public void pipeDeposit(String key, byte[] value) {
        deposits.pipeInput(new TestRecord<>(key, value, now));
    }

    public void adjust(String eventId, String sku, int delta, Long expectedVersion) {
        adjustments.pipeInput(new TestRecord<>(sku,
                IngressJson.write(new StockAdjusted(eventId, sku, delta, "restock", expectedVersion)), now));
    }

    public void pipeAdjustment(String key, byte[] value) {
        adjustments.pipeInput(new TestRecord<>(key, value, now));
    }

    public void pipePaymentCommand(PaymentCommand command) {
        paymentCommandsIn.pipeInput(new TestRecord<>(command.getCustomerId(), command, now));
    }

    public void pipeInventoryCommand(InventoryCommand command) {
        inventoryCommandsIn.pipeInput(new TestRecord<>(command.getSku(), command, now));
    }

    public void pipePaymentReply(PaymentReply reply) {
        paymentRepliesIn.pipeInput(new TestRecord<>(reply.getOrderId(), reply, now));
    }

    public void pipeInventoryReply(InventoryReply reply) {
        inventoryRepliesIn.pipeInput(new TestRecord<>(reply.getOrderId(), reply, now));
    }

    public void pipeRawPaymentReply(String key, byte[] value) {
        rawPaymentReplies.pipeInput(new TestRecord<>(key, value, now));
    }

    // ---- outputs (each read drains what was written since the last read) ------------------------------------

    public List<OrderStatusChanged> statuses() {
        return status.readValuesToList();
    }

    public List<TestRecord<String, OrderStatusChanged>> statusRecords() {
        return status.readRecordsToList();
    }

    public List<PaymentCommand> paymentCommands() {
        return paymentCommands.readValuesToList();
    }

    /** The payment commands with their headers (trace context). */
    public List<TestRecord<String, PaymentCommand>> paymentCommandRecords() {
        return paymentCommands.readRecordsToList();
    }

    public List<InventoryCommand> inventoryCommands() {
        return inventoryCommands.readValuesToList();
    }

    public List<PaymentReply> paymentReplies() {
        return paymentReplies.readValuesToList();
    }

    public List<InventoryReply> inventoryReplies() {
        return inventoryReplies.readValuesToList();
    }

    public List<TestRecord<String, byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    // ---- stores ---------------------------------------------------------------------------------------------

    public SagaState saga(String orderId) {
        return this.<SagaState>store(StoreNames.ORDER_SAGA).get(orderId);
    }

    public Account account(String customerId) {
        return this.<Account>store(StoreNames.PAYMENT_ACCOUNTS).get(customerId);
    }

    public Stock stock(String sku) {
        return this.<Stock>store(StoreNames.INVENTORY_STOCK).get(sku);
    }

    public OrderView orderView(String orderId) {
        return this.<OrderView>store(StoreNames.ORDERS_VIEW).get(orderId);
    }

    public CustomerOrders customerView(String customerId) {
        return this.<CustomerOrders>store(StoreNames.CUSTOMER_ORDERS_VIEW).get(customerId);
    }

    public <V> KeyValueStore<String, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    public TopologyTestDriver driver() {
        return driver;
    }

    public CountingMetrics metrics() {
        return metrics;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    public static OrderLine line(String sku, int quantity, long unitPrice) {
        return new OrderLine(sku, quantity, unitPrice);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private <V> TestInputTopic<String, V> input(Topic<V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(),
                topic.valueSerde(registry).serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(),
                topic.valueSerde(registry).deserializer());
    }

    @Override
    public void close() {
        driver.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
