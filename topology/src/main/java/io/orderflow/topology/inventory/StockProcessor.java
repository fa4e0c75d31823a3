package io.orderflow.topology.inventory;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.domain.Ids;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Rejection;
import io.orderflow.domain.StockStep;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.topology.EventDeduplicator;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Inventory's adapter: adjustments (raw ingress bytes) and saga commands in, keyed by sku; the rules in
 * {@link Inventory}; replies keyed by orderId and dead letters (including optimistic-lock conflicts) out.
 */
final class StockProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(StockProcessor.class);

    private final IngressReader reader;
    private final OrderflowMetrics metrics;
    private final Duration dedupeTtl;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Stock> stock;
    private KeyValueStore<String, StockRecord> records;
    private EventDeduplicator dedupe;

    StockProcessor(IngressReader reader, OrderflowMetrics metrics, Duration dedupeTtl) {
        this.reader = reader;
        this.metrics = metrics;
        this.dedupeTtl = dedupeTtl;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.stock = context.getStateStore(StoreNames.INVENTORY_STOCK);
        this.records = context.getStateStore(StoreNames.INVENTORY_ORDERS);
        WindowStore<String, Long> seen = context.getStateStore(StoreNames.INVENTORY_DEDUPE);
        this.dedupe = new EventDeduplicator(seen, dedupeTtl);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.value() instanceof byte[] raw) {
            onAdjustment(record, raw);
        } else if (record.value() instanceof InventoryCommand command) {
            onCommand(record, command);
        } else {
            throw new IllegalArgumentException("inventory cannot handle " + record.value());
        }
    }

    private void onAdjustment(Record<String, Object> record, byte[] raw) {
        DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
        StockAdjusted adjustment;
        try {
            adjustment = reader.stockAdjusted(raw);
        } catch (InvalidRecordException e) {
            deadLetter(record, source, raw, Rejection.UNREADABLE, e.getMessage());
            return;
        }
        String problem = Ids.problem("sku", adjustment.getSku());
        if (problem == null && !adjustment.getSku().equals(record.key())) {
            problem = "record key '" + record.key() + "' does not match sku '" + adjustment.getSku() + "'";
        }
        if (problem == null && adjustment.getEventId() != null) {
            problem = Ids.problem("eventId", adjustment.getEventId());
        }
        if (problem != null) {
            deadLetter(record, source, raw, Rejection.INVALID, problem);
            return;
        }
        if (adjustment.getEventId() != null && !dedupe.firstTime(adjustment.getEventId(), record.timestamp())) {
            metrics.duplicate(source.topic());
            return;
        }
        StockStep step = Inventory.adjust(stock.get(adjustment.getSku()), adjustment);
        if (step.rejection() != null) {
            if (Rejection.VERSION_CONFLICT.equals(step.rejection().code())) {
                metrics.optimisticLockConflict();
            }
            deadLetter(record, source, raw, step.rejection().code(), step.rejection().message());
            return;
        }
        stock.put(adjustment.getSku(), step.stock());
    }

    private void onCommand(Record<String, Object> record, InventoryCommand command) {
        String recordKey = StoreNames.orderKey(command.getSku(), command.getOrderId());
        StockStep step = Inventory.apply(stock.get(command.getSku()), records.get(recordKey), command);
        if (step.rejection() != null) {
            DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
            deadLetter(record, source, command.toString().getBytes(StandardCharsets.UTF_8), step.rejection().code(),
                    step.rejection().message());
            return;
        }
        if (step.changed()) {
            if (step.stock() != null) {
                stock.put(command.getSku(), step.stock());
            }
            records.put(recordKey, step.record());
        } else {
            metrics.duplicate(Topics.INVENTORY_COMMANDS.name());
        }
        context.forward(new Record<>(command.getOrderId(), step.reply(), record.timestamp()));
    }

    private void deadLetter(Record<String, Object> record, DeadLetters.Source source, byte[] raw, String reason,
                            String message) {
        log.warn("Inventory input {} sent to {}: {} {}", source.identity(), Topics.DEAD_LETTERS, reason, message);
        metrics.deadLettered(source.topic(), reason);
        context.forward(DeadLetters.letter(record, source, raw, reason, message));
    }
}
