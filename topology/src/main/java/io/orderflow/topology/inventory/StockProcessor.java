package io.orderflow.topology.inventory;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Rejection;
import io.orderflow.domain.StockStep;
import io.orderflow.serde.IngressReader;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.ServiceProcessor;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.StorePurger;
import io.orderflow.topology.Topics;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;

/**
 * Inventory's adapter: adjustments (raw ingress bytes) and saga commands in, keyed by sku; the rules in
 * {@link Inventory}; replies keyed by orderId and dead letters (including optimistic-lock conflicts) out.
 */
final class StockProcessor extends ServiceProcessor<StockAdjusted, InventoryCommand> {
    private final IngressReader reader;
    private KeyValueStore<String, Stock> stock;
    private KeyValueStore<String, StockRecord> records;

    StockProcessor(IngressReader reader, OrderflowMetrics metrics, Duration dedupeTtl, Duration recordRetention,
                   Duration retentionScan, StepTracer tracer) {
        super("sku", Topics.INVENTORY_COMMANDS, StoreNames.INVENTORY_DEDUPE, dedupeTtl, metrics,
                StoreNames.INVENTORY_ORDERS, ENDING, recordRetention, retentionScan, tracer);
        this.reader = reader;
    }

    /** A stock record has ended unless it still holds stock (RESERVED); a COMMITTED one may yet be restocked. */
    static final StorePurger.Ending<StockRecord> ENDING = StorePurger.ending(
            record -> record.getState() != StockRecordState.RESERVED, StockRecord::getEndedAt,
            (record, now) -> StockRecord.newBuilder(record).setEndedAt(now).build());

    @Override
    protected void initStores(ProcessorContext<String, Object> context) {
        stock = context.getStateStore(StoreNames.INVENTORY_STOCK);
        records = context.getStateStore(StoreNames.INVENTORY_ORDERS);
    }

    @Override
    protected StockAdjusted parse(byte[] raw) {
        return reader.stockAdjusted(raw);
    }

    @Override
    protected String idOf(StockAdjusted adjustment) {
        return adjustment.getSku();
    }

    @Override
    protected String eventIdOf(StockAdjusted adjustment) {
        return adjustment.getEventId();
    }

    @Override
    protected Rejection apply(StockAdjusted adjustment) {
        StockStep step = Inventory.adjust(stock.get(adjustment.getSku()), adjustment);
        if (step.rejection() == null) {
            stock.put(adjustment.getSku(), step.stock());
        }
        // An invalid adjustment is refused before its version is compared: no attempt at the lock.
        if (adjustment.getExpectedVersion() != null
                && (step.rejection() == null || !Rejection.INVALID.equals(step.rejection().code()))) {
            metrics.optimisticLockAttempt();
        }
        return step.rejection();
    }

    @Override
    protected String orderIdOf(InventoryCommand command) {
        return command.getOrderId();
    }

    @Override
    protected String stepOf(InventoryCommand command) {
        return "inventory." + command.getType();
    }

    @Override
    protected Outcome execute(InventoryCommand command) {
        String recordKey = StoreNames.orderKey(command.getSku(), command.getOrderId());
        StockStep step = Inventory.apply(stock.get(command.getSku()), records.get(recordKey), command);
        if (step.rejection() == null && step.changed()) {
            if (step.stock() != null) {
                stock.put(command.getSku(), step.stock());
            }
            StockRecord record = step.record();
            record.setEndedAt(ENDING.ended(record) ? context.currentSystemTimeMs() : null);
            records.put(recordKey, record);
        }
        return new Outcome(command.getOrderId(), step.reply(), step.rejection(), step.changed());
    }
}
