package io.orderflow.topology;

import io.orderflow.domain.Ids;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The shape the payment ledger and inventory share: state keyed by one id (customerId, sku), fed by an ingress
 * topic (raw JSON or Avro: deposits, adjustments) and by the saga's commands. This class does the plumbing —
 * parsing, identity and key checks, de-duplication by eventId, dead letters, replies — and leaves the rules to
 * the subclass.
 *
 * @param <E> the ingress event type
 * @param <C> the command type
 */
public abstract class ServiceProcessor<E, C> implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(ServiceProcessor.class);

    /** What a command did: the reply to send (keyed by orderId), or why it was refused. */
    public record Outcome(String orderId, Object reply, Rejection rejection, boolean changed) {
    }

    private final String idField;
    private final Class<C> commandType;
    private final String commandTopic;
    private final String dedupeStore;
    private final Duration dedupeTtl;
    protected final OrderflowMetrics metrics;
    protected ProcessorContext<String, Object> context;
    private EventDeduplicator dedupe;

    protected ServiceProcessor(String idField, Class<C> commandType, Topic<C> commandTopic, String dedupeStore,
                               Duration dedupeTtl, OrderflowMetrics metrics) {
        this.idField = idField;
        this.commandType = commandType;
        this.commandTopic = commandTopic.name();
        this.dedupeStore = dedupeStore;
        this.dedupeTtl = dedupeTtl;
        this.metrics = metrics;
    }

    /** Reads an ingress record; throws {@link InvalidRecordException} naming the problem. */
    protected abstract E parse(byte[] raw);

    /** The id the state is keyed by (customerId, sku). */
    protected abstract String idOf(E event);

    protected abstract String eventIdOf(E event);

    /** Applies an ingress event to the stores; the rejection when refused, null when applied. */
    protected abstract Rejection apply(E event);

    /** Applies a saga command to the stores. */
    protected abstract Outcome execute(C command);

    /** Opens the subclass's stores. */
    protected abstract void initStores(ProcessorContext<String, Object> context);

    @Override
    public final void init(ProcessorContext<String, Object> context) {
        this.context = context;
        WindowStore<String, Long> seen = context.getStateStore(dedupeStore);
        this.dedupe = new EventDeduplicator(seen, dedupeTtl);
        initStores(context);
    }

    @Override
    public final void process(Record<String, Object> record) {
        if (record.value() == null || record.value() instanceof byte[]) {
            // A null value (a tombstone) is unreadable like an empty one: dead-lettered as UNREADABLE.
            onIngress(record, (byte[]) record.value());
        } else if (commandType.isInstance(record.value())) {
            onCommand(record, commandType.cast(record.value()));
        } else {
            throw new IllegalArgumentException(getClass().getSimpleName() + " cannot handle " + record.value());
        }
    }

    private void onIngress(Record<String, Object> record, byte[] raw) {
        DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
        E event;
        try {
            event = parse(raw);
        } catch (InvalidRecordException e) {
            deadLetter(record, source, raw, Rejection.UNREADABLE, e.getMessage());
            return;
        }
        String id = idOf(event);
        String problem = Ids.problem(idField, id);
        if (problem == null && !id.equals(record.key())) {
            problem = "record key '" + record.key() + "' does not match " + idField + " '" + id + "'";
        }
        String eventId = eventIdOf(event);
        if (problem == null && eventId != null) {
            problem = Ids.problem("eventId", eventId);
        }
        if (problem != null) {
            deadLetter(record, source, raw, Rejection.INVALID, problem);
            return;
        }
        if (eventId != null && !dedupe.firstTime(eventId, record.timestamp())) {
            metrics.duplicate(source.topic());
            return;
        }
        Rejection rejection = apply(event);
        if (rejection != null) {
            if (Rejection.VERSION_CONFLICT.equals(rejection.code())) {
                metrics.optimisticLockConflict();
            }
            deadLetter(record, source, raw, rejection.code(), rejection.message());
        }
    }

    private void onCommand(Record<String, Object> record, C command) {
        Outcome outcome = execute(command);
        if (outcome.rejection() != null) {
            DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
            deadLetter(record, source, command.toString().getBytes(StandardCharsets.UTF_8),
                    outcome.rejection().code(), outcome.rejection().message());
            return;
        }
        if (!outcome.changed()) {
            metrics.duplicate(commandTopic);
        }
        context.forward(new Record<>(outcome.orderId(), outcome.reply(), record.timestamp()));
    }

    private void deadLetter(Record<String, Object> record, DeadLetters.Source source, byte[] raw, String reason,
                            String message) {
        log.warn("{} input {} sent to {}: {} {}", getClass().getSimpleName(), source.identity(), Topics.DEAD_LETTERS,
                reason, message);
        metrics.deadLettered(source.topic(), reason);
        context.forward(DeadLetters.letter(record, source, raw, reason, message));
    }
}
