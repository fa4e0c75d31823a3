package io.orderflow.topology.saga;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.SagaTimeline;
import io.orderflow.domain.SagaRules;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.EventDeduplicator;
import io.orderflow.topology.Inputs;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.Outputs;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.IngressStreams;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Set;

/**
 * The order saga: {@code order.events}, {@code payment.replies} and {@code inventory.replies} (all keyed by
 * orderId, so co-partitioned) in; {@code payment.commands}, {@code inventory.commands}, {@code order.status} and
 * dead letters out. State in {@code order-saga}, the deadline index in {@code saga-deadlines}.
 */
public final class SagaTopology {
    public static final String NAME = "saga";

    private SagaTopology() {
    }

    /**
     * @param progress how far the reply path is processed, which deadlines are judged against
     * @param tracer   traces each step ({@link StepTracer#OFF}: not traced)
     */
    public static void addTo(StreamsBuilder builder, OrderflowConfig config, SchemaRegistry registry,
                             OrderflowMetrics metrics, ReplyProgress progress, StepTracer tracer) {
        IngressReader reader = new IngressReader(registry);
        KStream<String, SagaInput> in = Inputs.<SagaInput>of(NAME, SagaInput.OrderEventBytes::new)
                .addRaw("order-events", IngressStreams.keyed(builder, Topics.ORDER_EVENTS, "order-events",
                        config.partitions(), raw -> reader.orderEvent(raw).getOrderId(), metrics))
                .add(builder, Topics.PAYMENT_REPLIES, registry, SagaInput.PaymentReplied::new)
                .add(builder, Topics.INVENTORY_REPLIES, registry, SagaInput.InventoryReplied::new)
                .stream();
        KStream<String, Object> out = in.process(new Supplier(config, registry, metrics, progress, tracer),
                Named.as(NAME));
        Outputs.of(out, NAME, registry)
                .to(PaymentCommand.class, Topics.PAYMENT_COMMANDS)
                .to(InventoryCommand.class, Topics.INVENTORY_COMMANDS)
                .to(OrderStatusChanged.class, Topics.ORDER_STATUS)
                .toDeadLettersAndClose();
    }

    private record Supplier(OrderflowConfig config, SchemaRegistry registry, OrderflowMetrics metrics,
                            ReplyProgress progress, StepTracer tracer) implements ProcessorSupplier<String, SagaInput, String, Object> {

        @Override
        public Processor<String, SagaInput, String, Object> get() {
            return new SagaProcessor(new SagaRules(config.sagaTimeout()), new IngressReader(registry), metrics,
                    config.dedupeTtl(), config.deadlineScan(), progress, config.retention(), config.retentionScan(),
                    tracer);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.ORDER_SAGA),
                            Serdes.String(), new AvroSerde<>(SagaState.class, registry)).withCachingEnabled(),
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SAGA_DEADLINES),
                            Serdes.String(), Serdes.String()),
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.SAGA_TIMELINE),
                            Serdes.String(), new AvroSerde<>(SagaTimeline.class, registry)).withCachingEnabled(),
                    EventDeduplicator.storeBuilder(StoreNames.SAGA_DEDUPE, config.dedupeTtl()));
        }
    }
}
