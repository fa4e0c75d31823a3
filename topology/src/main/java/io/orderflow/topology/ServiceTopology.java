package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.ingress.IngressStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

import java.util.function.Function;

/**
 * Wiring shared by the payment ledger and inventory: an ingress topic (re-keyed when keyless or on the wrong partition) and a command topic
 * into one {@link ServiceProcessor}, replies and dead letters out.
 */
public final class ServiceTopology {
    private ServiceTopology() {
    }

    /**
     * @param name  the topology's name, used to name every node
     * @param partitions the partition count of the ingress and command topics
     * @param idOf  the id in an ingress record's value, for keyless records
     * @param metrics counts the ingress records dead-lettered before they reach {@code processor}
     */
    public static <C, R> void addTo(StreamsBuilder builder, SchemaRegistry registry, String name,
                                    Topic<byte[]> ingress, int partitions, Function<byte[], String> idOf, Topic<C> commands,
                                    Class<R> replyType, Topic<R> replies,
                                    ProcessorSupplier<String, ServiceInput<C>, String, Object> processor,
                                    OrderflowMetrics metrics) {
        String ingressName = ingress.name().replace('.', '-');
        KStream<String, ServiceInput<C>> in = Inputs.<ServiceInput<C>>of(name, ServiceInput.Ingress::new)
                .addRaw(ingressName, IngressStreams.keyed(builder, ingress, ingressName, partitions, idOf, metrics))
                .add(builder, commands, registry, ServiceInput.Command::new)
                .stream();
        KStream<String, Object> out = in.process(processor, Named.as(name));
        Outputs.of(out, name, registry)
                .to(replyType, replies)
                .toDeadLettersAndClose();
    }
}
