package io.orderflow.topology.payment;

import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
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
 * The payment ledger: {@code payment.deposits} and {@code payment.commands} (keyed by customerId) in;
 * {@code payment.replies} (keyed by orderId) and dead letters out. Accounts in {@code payment-accounts}, what was
 * done per order in {@code payment-orders}.
 */
public final class LedgerTopology {
    public static final String NAME = "ledger";

    private LedgerTopology() {
    }

    public static void addTo(StreamsBuilder builder, OrderflowConfig config, SchemaRegistry registry,
                             OrderflowMetrics metrics, StepTracer tracer) {
        IngressReader reader = new IngressReader(registry);
        ServiceTopology.addTo(builder, registry, NAME,
                Topics.PAYMENT_DEPOSITS, config.partitions(), raw -> reader.fundsDeposited(raw).getCustomerId(),
                Topics.PAYMENT_COMMANDS, PaymentReply.class, Topics.PAYMENT_REPLIES,
                new Supplier(config, registry, metrics, tracer), metrics);
    }

    private record Supplier(OrderflowConfig config, SchemaRegistry registry, OrderflowMetrics metrics,
                            StepTracer tracer)
            implements ProcessorSupplier<String, ServiceInput<PaymentCommand>, String, Object> {

        @Override
        public Processor<String, ServiceInput<PaymentCommand>, String, Object> get() {
            return new LedgerProcessor(new IngressReader(registry), metrics, config.dedupeTtl(),
                    config.recordRetention(), config.retentionScan(), tracer);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PAYMENT_ACCOUNTS),
                            Serdes.String(), new AvroSerde<>(Account.class, registry)).withCachingEnabled(),
                    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.PAYMENT_ORDERS),
                            Serdes.String(), new AvroSerde<>(PaymentRecord.class, registry)).withCachingEnabled(),
                    EventDeduplicator.storeBuilder(StoreNames.PAYMENT_DEDUPE, config.dedupeTtl()));
        }
    }
}
