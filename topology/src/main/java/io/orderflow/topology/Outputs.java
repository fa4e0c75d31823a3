package io.orderflow.topology;

import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Routes a processor's mixed output (commands, replies, status changes, dead letters) to one topic per type.
 * The processors forward typed values; each branch here casts and writes with the topic's own serdes.
 */
public final class Outputs {
    private final BranchedKStream<String, Object> branches;
    private final String writer;
    private final SchemaRegistry registry;

    private Outputs(KStream<String, Object> out, String writer, SchemaRegistry registry) {
        this.branches = out.split(Named.as(writer + "-out-"));
        this.writer = writer;
        this.registry = registry;
    }

    /** @param writer the writing topology's name, used to name every node this adds */
    public static Outputs of(KStream<String, Object> out, String writer, SchemaRegistry registry) {
        return new Outputs(out, writer, registry);
    }

    public <V> Outputs to(Class<V> type, Topic<V> topic) {
        String name = topic.name().replace('.', '-');
        branches.branch((key, value) -> type.isInstance(value), Branched.withConsumer(stream -> stream
                .mapValues(type::cast, Named.as(writer + "-as-" + name))
                .to(topic.name(), topic.produced(registry, writer)), name));
        return this;
    }

    /** Dead letters to {@link Topics#DEAD_LETTERS}; anything else unrouted is a programming error. */
    public void toDeadLettersAndClose() {
        branches.branch((key, value) -> value instanceof DeadLetters.DeadLetter, Branched.withConsumer(stream -> stream
                .mapValues(value -> ((DeadLetters.DeadLetter) value).value(), Named.as(writer + "-as-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), Topics.DEAD_LETTERS.produced(registry, writer)), "dead-letters"));
        branches.defaultBranch(Branched.withConsumer(stream -> stream.foreach((key, value) -> {
            throw new IllegalStateException(writer + " forwarded a value no topic takes: " + value);
        }, Named.as(writer + "-unroutable")), "unroutable"));
    }
}
