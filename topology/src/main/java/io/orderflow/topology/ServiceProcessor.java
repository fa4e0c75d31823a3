package io.orderflow.topology;

import io.orderflow.domain.Rejection;
import io.orderflow.topology.ingress.IngressGate;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The shape the payment ledger and inventory share: state keyed by one id (customerId, sku), fed by an ingress
 * topic (raw JSON or Avro: deposits, adjustments) through the {@link IngressGate}, and by the saga's commands.
 * This class does the plumbing — the gate, dead letters, replies — and leaves the rules to the subclass.
 *
 * @param <E> the ingress event type
 * @param <C> the command type
 */
public abstract class ServiceProcessor<E, C> implements Processor<String, ServiceInput<C>, String, Object>,
        ServiceInput.Handler<C> {

    /** What a command did: the reply to send (keyed by orderId), or why it was refused. */
    public record Outcome(String orderId, Object reply, Rejection rejection, boolean changed) {
    }

    private final String commandTopic;
    private final IngressGate<E> gate;
    private final String recordStore;
    private final StorePurger.Ending<?> recordEnding;
    private final Duration recordRetention;
    private final Duration retentionScan;
    protected final OrderflowMetrics metrics;
    private final StepTracer tracer;
    protected ProcessorContext<String, Object> context;

    /**
     * @param idField         the id the state is keyed by (customerId, sku), as the gate names it in messages
     * @param recordStore     the store of per-order records, purged {@code recordRetention} after they end
     * @param recordEnding    when a per-order record has ended
     * @param retentionScan   how often (wall clock) that store is walked for ended records
     */
    protected ServiceProcessor(String idField, Topic<C> commandTopic, String dedupeStore, Duration dedupeTtl,
                               OrderflowMetrics metrics, String recordStore, StorePurger.Ending<?> recordEnding,
                               Duration recordRetention, Duration retentionScan, StepTracer tracer) {
        this.commandTopic = commandTopic.name();
        this.tracer = tracer;
        this.metrics = metrics;
        this.recordStore = recordStore;
        this.recordEnding = recordEnding;
        this.recordRetention = recordRetention;
        this.retentionScan = retentionScan;
        this.gate = new IngressGate<>(getClass().getSimpleName(), idField, this::parse, this::idOf,
                (event, headers) -> eventIdOf(event), event -> false, dedupeStore, dedupeTtl, metrics);
    }

    /** Reads an ingress record; throws {@link io.orderflow.serde.InvalidRecordException} naming the problem. */
    protected abstract E parse(byte[] raw);

    /** The id the state is keyed by (customerId, sku). */
    protected abstract String idOf(E event);

    protected abstract String eventIdOf(E event);

    /** Applies an ingress event to the stores; the rejection when refused, null when applied. */
    protected abstract Rejection apply(E event);

    /** Applies a saga command to the stores. */
    protected abstract Outcome execute(C command);

    /** The order a command is for, and the step it is, as traces name it ({@code payment.AUTHORIZE}). */
    protected abstract String orderIdOf(C command);

    protected abstract String stepOf(C command);

    /** Opens the subclass's stores. */
    protected abstract void initStores(ProcessorContext<String, Object> context);

    @Override
    public final void init(ProcessorContext<String, Object> context) {
        this.context = context;
        gate.init(context);
        initStores(context);
        StorePurger.schedule(context, recordStore, recordEnding, recordRetention, retentionScan, metrics);
    }

    @Override
    public final void process(Record<String, ServiceInput<C>> record) {
        record.value().dispatch(record, this);
    }

    @Override
    public final void ingress(Record<String, ServiceInput<C>> record, byte[] raw) {
        E event = gate.admit(record, raw);
        if (event == null) {
            return;
        }
        Rejection rejection = apply(event);
        if (rejection != null) {
            if (Rejection.VERSION_CONFLICT.equals(rejection.code())) {
                metrics.optimisticLockConflict();
            }
            gate.deadLetter(record, raw, rejection.code(), rejection.message());
        }
    }

    @Override
    public final void command(Record<String, ServiceInput<C>> record, C command) {
        StepTracer.Step step = tracer.start(stepOf(command), orderIdOf(command), record.headers(), context);
        try {
            Outcome outcome = execute(command);
            if (outcome.rejection() != null) {
                gate.deadLetter(record, command.toString().getBytes(StandardCharsets.UTF_8),
                        outcome.rejection().code(), outcome.rejection().message());
                return;
            }
            if (!outcome.changed()) {
                metrics.duplicate(commandTopic);
            }
            Record<String, Object> reply = new Record<>(outcome.orderId(), outcome.reply(), record.timestamp());
            step.inject(reply.headers());
            context.forward(reply);
        } finally {
            step.end();
        }
    }
}
