package io.orderflow.topology.inventory;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.EventDeduplicator;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.ServiceInput;
import io.orderflow.topology.ServiceTopology;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Set;

/**
 * Inventory: {@code inventory.adjustments} and {@code inventory.commands} (keyed by sku) in;
 * {@code inventory.replies} (keyed by orderId) and dead letters out. Stock in {@code inventory-stock}, what was
 * done per order line in {@code inventory-orders}.
 */
public final class InventoryTopology {
    public static final String NAME = "inventory";

    private InventoryTopology() {
    }

    public static void addTo(StreamsBuilder builder, OrderflowConfig config, SchemaRegistry registry,
                             OrderflowMetrics metrics, StepTracer tracer) {
        IngressReader reader = new IngressReader(registry);
        ServiceTopology.addTo(builder, registry, NAME,
                Topics.INVENTORY_ADJUSTMENTS, config.partitions(), raw -> reader.stockAdjusted(raw).getSku(),
                Topics.INVENTORY_COMMANDS, InventoryReply.class, Topics.INVENTORY_REPLIES,
                new Supplier(config, registry, metrics, tracer), metrics);
    }

    private record Supplier(OrderflowConfig config, SchemaRegistry registry, OrderflowMetrics metrics,
                            StepTracer tracer)
            implements ProcessorSupplier<String, ServiceInput<InventoryCommand>, String, Object> {

        @Override
        public Processor<String, ServiceInput<InventoryCommand>, String, Object> get() {
            return new StockProcessor(new IngressReader(registry), metrics, config.dedupeTtl(),
                    config.recordRetention(), config.retentionScan(), tracer);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.INVENTORY_STOCK),
                            Serdes.String(), new AvroSerde<>(Stock.class, registry)).withCachingEnabled(),
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.INVENTORY_ORDERS),
                            Serdes.String(), new AvroSerde<>(StockRecord.class, registry)).withCachingEnabled(),
                    EventDeduplicator.storeBuilder(StoreNames.INVENTORY_DEDUPE, config.dedupeTtl()));
        }
    }
}
