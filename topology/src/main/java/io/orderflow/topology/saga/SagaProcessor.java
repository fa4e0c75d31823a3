package io.orderflow.topology.saga;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OperatorCompensate;
import io.orderflow.contracts.OperatorResend;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.SagaTimeline;
import io.orderflow.contracts.state.TimelineDirection;
import io.orderflow.contracts.state.TimelineEntry;
import io.orderflow.domain.Rejection;
import io.orderflow.domain.SagaRules;
import io.orderflow.domain.SagaStep;
import io.orderflow.serde.IngressReader;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.StorePurger;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import io.orderflow.topology.ingress.IngressGate;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The saga orchestrator's adapter: reads order events (raw ingress bytes), payment replies and inventory replies,
 * all keyed by orderId; lets {@link SagaRules} decide; stores the state, keeps the deadline index and forwards
 * commands, status changes and dead letters. A wall-clock punctuator scans the deadline index — not the saga
 * store — for orders whose time is up.
 *
 * <p>Time: {@code placedAt} is the OrderPlaced record's timestamp (when the customer ordered); deadlines and
 * {@code changedAt} use the stream thread's wall clock ({@code currentSystemTimeMs()}, which
 * TopologyTestDriver lets tests drive), so orders read late from a backlog are not timed out for time they spent
 * in the topic. Output records keep the input record's timestamp.
 */
final class SagaProcessor implements Processor<String, SagaInput, String, Object>, SagaInput.Handler {
    private static final Logger log = LoggerFactory.getLogger(SagaProcessor.class);
    /** Bound on the work one punctuation does, so a backlog of deadlines never stalls the stream thread. */
    private static final int MAX_DEADLINES_PER_SCAN = 10_000;
    /** Header Debezium's outbox EventRouter sets from the row's {@code type}: marks a record as outbox CDC. */
    static final String OUTBOX_EVENT_TYPE = "eventType";

    private final SagaRules rules;
    private final IngressGate<OrderEvent> gate;
    private final OrderflowMetrics metrics;
    private final Duration deadlineScan;
    private final ReplyProgress progress;
    private final Duration retention;
    private final Duration retentionScan;
    private final StepTracer tracer;
    /** The span of the step being processed: every record it forwards carries its context. */
    private StepTracer.Step span = StepTracer.Step.NONE;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, SagaState> sagas;
    private KeyValueStore<String, String> deadlines;
    private KeyValueStore<String, SagaTimeline> timelines;
    /** This instance as timeline entries name it: its application.server. */
    private String instance;
    /** The order whose timeline entries {@link #noted} holds until {@link #writeTimeline}; null: none. */
    private String noting;
    private final List<TimelineEntry> noted = new ArrayList<>();
    /** Whether the saga's end time was noted, and what it is (null: not ended). */
    private boolean notedEnd;
    private Long notedEndedAt;

    SagaProcessor(SagaRules rules, IngressReader reader, OrderflowMetrics metrics, Duration dedupeTtl,
                  Duration deadlineScan, ReplyProgress progress, Duration retention, Duration retentionScan,
                  StepTracer tracer) {
        this.rules = rules;
        // Debezium's outbox router puts the event id in the header "id" rather than in the value.
        // An OrderPlaced needs no eventId remembered while its saga is kept at least as long (saga.retention, after
        // it ends): a repeat finds the saga and is counted a duplicate; one placed longer ago is refused as expired.
        boolean sagaOutlivesTtl = retention.compareTo(dedupeTtl) >= 0;
        this.gate = new IngressGate<>("SagaProcessor", "orderId", reader::orderEvent, OrderEvent::getOrderId,
                (event, headers) -> event.getEventId() != null ? event.getEventId()
                        : DeadLetters.header(headers, "id"),
                event -> sagaOutlivesTtl && event.getEvent() instanceof OrderPlaced,
                StoreNames.SAGA_DEDUPE, dedupeTtl, metrics);
        this.metrics = metrics;
        this.deadlineScan = deadlineScan;
        this.progress = progress;
        this.retention = retention;
        this.retentionScan = retentionScan;
        this.tracer = tracer;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.sagas = context.getStateStore(StoreNames.ORDER_SAGA);
        this.deadlines = context.getStateStore(StoreNames.SAGA_DEADLINES);
        this.timelines = context.getStateStore(StoreNames.SAGA_TIMELINE);
        Object server = context.appConfigs().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        this.instance = server == null || server.toString().isBlank() ? "unknown" : server.toString();
        gate.init(context);
        context.schedule(deadlineScan, PunctuationType.WALL_CLOCK_TIME, this::expireDeadlines);
        StorePurger.schedule(context, StoreNames.ORDER_SAGA, ENDING, retention, retentionScan, metrics);
        StorePurger.schedule(context, StoreNames.SAGA_TIMELINE, TIMELINE_ENDING, retention, retentionScan, metrics);
    }

    /** A timeline ends with its saga: {@link #apply} copies the saga's end time onto it. */
    static final StorePurger.Ending<SagaTimeline> TIMELINE_ENDING = StorePurger.ending(
            timeline -> timeline.getEndedAt() != null, SagaTimeline::getEndedAt,
            (timeline, now) -> SagaTimeline.newBuilder(timeline).setEndedAt(now).build());

    /** A saga has ended when CONFIRMED (only a customer's cancel can reopen it) or CANCELLED. */
    static final StorePurger.Ending<SagaState> ENDING = StorePurger.ending(
            state -> SagaRules.isTerminal(state.getStatus()), SagaState::getEndedAt,
            (state, now) -> SagaState.newBuilder(state).setEndedAt(now).build());

    @Override
    public void process(Record<String, SagaInput> record) {
        try {
            record.value().dispatch(record, this);
        } finally {
            writeTimeline();
        }
    }

    @Override
    public void paymentReply(Record<String, SagaInput> record, PaymentReply reply) {
        onReply(record, "Payment", reply.getType(),
                state -> rules.paymentReply(state, reply, context.currentSystemTimeMs()));
    }

    @Override
    public void inventoryReply(Record<String, SagaInput> record, InventoryReply reply) {
        onReply(record, "Inventory", reply.getType(),
                state -> rules.inventoryReply(state, reply, context.currentSystemTimeMs()));
    }

    private void onReply(Record<String, SagaInput> record, String service, Object type,
                         Function<SagaState, SagaStep> rule) {
        SagaState state = sagas.get(record.key());
        if (state == null) {
            log.warn("{} reply {} for unknown order {}", service, type, record.key());
            return;
        }
        String what = service.toLowerCase(java.util.Locale.ROOT) + " " + type;
        received(record.key(), what);
        traced("saga.step." + what.replace(' ', '.'), record.key(), record.headers(),
                () -> apply(state, rule.apply(state), record.timestamp()));
    }

    /** Runs {@code work} as step {@code name} of order {@code orderId}, in a span of its own when tracing. */
    private void traced(String name, String orderId, Headers input, Runnable work) {
        span = tracer.start(name, orderId, input, context);
        try {
            work.run();
        } finally {
            span.end();
            span = StepTracer.Step.NONE;
        }
    }

    /** Forwards {@code record} with the current step's trace context. */
    private void forward(Record<String, Object> record) {
        span.inject(record.headers());
        context.forward(record);
    }

    /** Notes on the order's timeline the input being processed, with where it was read. */
    private void received(String orderId, String what) {
        var metadata = context.recordMetadata();
        note(orderId, new TimelineEntry(context.currentSystemTimeMs(), TimelineDirection.RECEIVED, what,
                metadata.map(m -> m.topic()).orElse("(none)"), metadata.map(m -> m.partition()).orElse(-1),
                metadata.map(m -> m.offset()).orElse(-1L), instance), null);
    }

    /**
     * Notes {@code entry} (if any) for the order's timeline and, given the saga's {@code state}, its end time, by
     * which the timeline is purged with it. What one input notes is written with one put when it is done
     * ({@link #writeTimeline}): a step notes up to five entries, and each put would read and write the whole timeline.
     */
    private void note(String orderId, TimelineEntry entry, SagaState state) {
        if (noting != null && !noting.equals(orderId)) {
            writeTimeline();
        }
        noting = orderId;
        if (entry != null) {
            noted.add(entry);
        }
        if (state != null) {
            notedEnd = true;
            notedEndedAt = state.getEndedAt();
        }
    }

    /** Appends what was noted to the timeline, the newest {@value #TIMELINE_ENTRIES} kept. */
    private void writeTimeline() {
        if (noting == null) {
            return;
        }
        SagaTimeline timeline = timelines.get(noting);
        if (timeline == null) {
            timeline = new SagaTimeline(new ArrayList<>(), 0, null);
        }
        List<TimelineEntry> entries = timeline.getEntries();
        entries.addAll(noted);
        int over = entries.size() - TIMELINE_ENTRIES;
        if (over > 0) {
            timeline.setEntries(new ArrayList<>(entries.subList(over, entries.size())));
            timeline.setTruncated(timeline.getTruncated() + over);
        }
        if (notedEnd) {
            timeline.setEndedAt(notedEndedAt);
        }
        timelines.put(noting, timeline);
        noting = null;
        noted.clear();
        notedEnd = false;
        notedEndedAt = null;
    }

    static final int TIMELINE_ENTRIES = 100;

    @Override
    public void orderEvent(Record<String, SagaInput> record, byte[] raw) {
        OrderEvent event = gate.admit(record, raw);
        if (event == null) {
            return;
        }
        if (DeadLetters.header(record.headers(), OUTBOX_EVENT_TYPE) != null) {
            metrics.outboxLag(context.currentSystemTimeMs() - record.timestamp());
        }
        String orderId = event.getOrderId();
        SagaState state = sagas.get(orderId);
        String type = event.getEvent().getClass().getSimpleName();
        if (event.getEvent() instanceof OrderPlaced placed) {
            if (state != null) {
                gate.duplicate(record);
                return;
            }
            received(orderId, type);
            long age = context.currentSystemTimeMs() - record.timestamp();
            if (age > retention.toMillis()) {
                // Its saga may have run, ended and been purged: starting it again could charge the customer twice.
                gate.deadLetter(record, raw, Rejection.EXPIRED, "order " + orderId + " was placed "
                        + Duration.ofMillis(age).toSeconds() + " s ago, longer than saga.retention (" + retention
                        + ") allows: an order that old may have ended and been purged, so it is not started again");
                return;
            }
            traced("saga.step.placed", orderId, record.headers(), () -> apply(null,
                    rules.place(orderId, placed, record.timestamp(), context.currentSystemTimeMs()),
                    record.timestamp()));
        } else {
            String what = event.getEvent() instanceof OrderCancelRequested ? "cancel" : "act on";
            if (state == null) {
                gate.deadLetter(record, raw, Rejection.UNKNOWN_ORDER, "no order " + orderId + " to " + what
                        + " (never placed, or ended more than saga.retention (" + retention + ") ago and purged)");
                return;
            }
            long now = context.currentSystemTimeMs();
            received(orderId, event.getEvent() instanceof OperatorCompensate c ? type + " by " + c.getOperator()
                    : event.getEvent() instanceof OperatorResend r ? type + " by " + r.getOperator() : type);
            if (event.getEvent() instanceof OperatorCompensate compensate) {
                log.info("Operator {} compensates order {} ({}): {}", compensate.getOperator(), orderId,
                        state.getStatus(), compensate.getReason());
                traced("saga.step.operator.compensate", orderId, record.headers(),
                        () -> apply(state, rules.operatorCompensate(state, now), record.timestamp()));
            } else if (event.getEvent() instanceof OperatorResend resend) {
                SagaStep resent = rules.resend(state);
                log.info("Operator {} re-sends {} outstanding command(s) of order {}: {}", resend.getOperator(),
                        resent.paymentCommands().size() + resent.inventoryCommands().size(), orderId,
                        resend.getReason());
                traced("saga.step.operator.resend", orderId, record.headers(), () -> {
                    span.attempt(1 + resends(orderId));
                    send(resent, record.timestamp());
                });
            } else {
                traced("saga.step.cancel", orderId, record.headers(),
                        () -> apply(state, rules.cancel(state, now), record.timestamp()));
            }
        }
    }

    private void apply(SagaState before, SagaStep step, long timestamp) {
        if (!step.changed()) {
            return;
        }
        SagaState after = step.state();
        if (!SagaRules.isTerminal(after.getStatus())) {
            after.setEndedAt(null);
        } else if (before == null || before.getStatus() != after.getStatus()) {
            after.setEndedAt(context.currentSystemTimeMs());
        }
        sagas.put(after.getOrderId(), after);
        long at = context.currentSystemTimeMs();
        for (OrderStatusChanged change : step.statusChanges()) {
            note(after.getOrderId(), sent(at, "status " + change.getStatus()
                    + (change.getReason() == null ? "" : " (" + change.getReason() + ")"), Topics.ORDER_STATUS), after);
        }
        if (step.statusChanges().isEmpty()) {
            note(after.getOrderId(), null, after);
        }
        boolean wasAwaiting = before != null && before.getStatus() == OrderStatus.AWAITING;
        boolean isAwaiting = after.getStatus() == OrderStatus.AWAITING;
        if (!wasAwaiting && isAwaiting) {
            deadlines.put(DeadlineIndex.key(after.getDeadline(), after.getOrderId()), after.getOrderId());
        } else if (wasAwaiting && !isAwaiting) {
            deadlines.delete(DeadlineIndex.key(before.getDeadline(), before.getOrderId()));
        }
        send(step, timestamp);
        for (PaymentCommand command : step.paymentCommands()) {
            switch (command.getType()) {
                case VOID, REFUND -> metrics.compensation(command.getType().name().toLowerCase());
                default -> { }
            }
        }
        for (InventoryCommand command : step.inventoryCommands()) {
            if (command.getType() == InventoryCommandType.RELEASE) {
                metrics.compensation("release");
            }
        }
        for (OrderStatusChanged change : step.statusChanges()) {
            forward(new Record<>(change.getOrderId(), change, timestamp));
            span.status(change.getStatus().name());
            report(change);
        }
    }

    /** Forwards the step's commands to the payment and inventory services, noting each on the timeline. */
    private void send(SagaStep step, long timestamp) {
        long at = context.currentSystemTimeMs();
        for (PaymentCommand command : step.paymentCommands()) {
            forward(new Record<>(command.getCustomerId(), command, timestamp));
            note(command.getOrderId(), sent(at, "payment " + command.getType(), Topics.PAYMENT_COMMANDS), null);
        }
        for (InventoryCommand command : step.inventoryCommands()) {
            forward(new Record<>(command.getSku(), command, timestamp));
            note(command.getOrderId(), sent(at, "inventory " + command.getType() + " " + command.getSku(),
                    Topics.INVENTORY_COMMANDS), null);
        }
    }

    private TimelineEntry sent(long at, String what, Topic<?> topic) {
        return new TimelineEntry(at, TimelineDirection.SENT, what, topic.name(), -1, -1L, instance);
    }

    private void report(OrderStatusChanged change) {
        switch (change.getStatus()) {
            case PLACED -> metrics.sagaStarted();
            case COMPENSATING -> {
                if (change.getReason() == CancelReason.TIMEOUT) {
                    metrics.sagaTimedOut();
                }
            }
            case CONFIRMED, CANCELLED -> metrics.sagaCompleted(change.getStatus(),
                    change.getChangedAt() - change.getPlacedAt());
            default -> { }
        }
    }

    /**
     * Times out the sagas whose deadline has passed both by the wall clock and by the reply path's progress: a
     * reply that may still be in Orderflow's own backlog is waited for ({@link ReplyProgress}).
     */
    private void expireDeadlines(long now) {
        long dueBy = Math.min(now, progress.answeredThrough());
        if (dueBy < 0) {
            return; // the reply path has not been measured yet
        }
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = deadlines.range("0", DeadlineIndex.dueBy(dueBy))) {
            while (it.hasNext() && due.size() < MAX_DEADLINES_PER_SCAN) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, String> entry : due) {
            String orderId = entry.value;
            SagaState state = sagas.get(orderId);
            if (state == null) {
                log.error("Deadline index names order {} that has no saga state; dropping the entry", orderId);
                deadlines.delete(entry.key);
                continue;
            }
            SagaStep step = rules.deadline(state, now);
            if (step.changed()) {
                note(orderId, new TimelineEntry(now, TimelineDirection.RECEIVED, "deadline passed", "(clock)", -1,
                        -1L, instance), null);
            }
            if (!step.changed()) {
                // Index and state disagree only if the order left AWAITING, or got another deadline, without this
                // entry being removed (a store restored from an at-least-once changelog can show that). Delete
                // the entry itself: a key rebuilt from the state would miss it and leave it due forever.
                deadlines.delete(entry.key);
                continue;
            }
            // A deadline has no input record, and the saga keeps no trace context: the timeout starts a trace.
            traced("saga.step.deadline", orderId, new RecordHeaders(), () -> apply(state, step, now));
            writeTimeline();
        }
    }

    /** How many times an operator has had this order's outstanding commands re-sent (its timeline says). */
    private long resends(String orderId) {
        writeTimeline();
        SagaTimeline timeline = timelines.get(orderId);
        return timeline == null ? 0 : timeline.getEntries().stream()
                .filter(entry -> entry.getWhat().startsWith(OperatorResend.class.getSimpleName())).count();
    }
}
