package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.inventory.InventoryTopology;
import io.orderflow.topology.payment.LedgerTopology;
import io.orderflow.topology.saga.ReplyProgress;
import io.orderflow.topology.saga.SagaTopology;
import io.orderflow.topology.tracing.StepTracer;
import io.orderflow.topology.views.ReadModelTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

import java.util.Properties;

/**
 * The whole Orderflow application topology: saga, payment ledger, inventory and read models. The one seam the
 * application and the tests both call.
 */
public final class OrderflowTopology {
    private OrderflowTopology() {
    }

    /**
     * @param streamsProperties the Streams properties the topology will run with (from
     *                          {@link OrderflowConfig#streamsProperties}); naming rules are checked against them
     */
    public static Topology build(OrderflowConfig config, SchemaRegistry registry, OrderflowMetrics metrics,
                                 Properties streamsProperties) {
        return build(config, registry, metrics, OrderStatusListener.NONE, ReplyProgress.WALL_CLOCK, StepTracer.OFF,
                streamsProperties);
    }

    /**
     * @param listener told of every status change once the orders-view has it (long-polling readers)
     * @param progress how far the reply path is processed; saga deadlines wait for it
     * @param tracer   traces every saga step across the Kafka hops ({@link StepTracer#OFF}: not traced)
     */
    public static Topology build(OrderflowConfig config, SchemaRegistry registry, OrderflowMetrics metrics,
                                 OrderStatusListener listener, ReplyProgress progress, StepTracer tracer,
                                 Properties streamsProperties) {
        StreamsBuilder builder = new StreamsBuilder();
        SagaTopology.addTo(builder, config, registry, metrics, progress, tracer);
        LedgerTopology.addTo(builder, config, registry, metrics, tracer);
        InventoryTopology.addTo(builder, config, registry, metrics, tracer);
        ReadModelTopology.addTo(builder, registry, config.recordRetention(), config.retentionScan(), metrics,
                listener);
        return builder.build(streamsProperties);
    }
}
