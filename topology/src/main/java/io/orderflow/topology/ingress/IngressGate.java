package io.orderflow.topology.ingress;

import io.orderflow.domain.Ids;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.topology.EventDeduplicator;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.Topics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What every ingress record passes before a processor applies it, the same for the saga, the ledger and the
 * inventory: it must be readable ({@code UNREADABLE} otherwise), carry a well-formed id equal to the record's key
 * and a well-formed eventId ({@code INVALID} otherwise), and not have been seen before (a duplicate is counted and
 * dropped). What fails goes to the dead-letter topic with its original coordinates, logged and counted; the
 * processors send their own rejections the same way through {@link #deadLetter}.
 *
 * @param <E> the ingress event type
 */
public final class IngressGate<E> {
    private static final Logger log = LoggerFactory.getLogger(IngressGate.class);

    private final String processor;
    private final String idField;
    private final Function<byte[], E> read;
    private final Function<E, String> idOf;
    private final BiFunction<E, Headers, String> eventIdOf;
    private final Predicate<E> recognisedByState;
    private final String dedupeStore;
    private final Duration dedupeTtl;
    private final OrderflowMetrics metrics;
    private ProcessorContext<String, Object> context;
    private EventDeduplicator dedupe;

    /**
     * @param processor   names the processor in log lines
     * @param idField     the id's field name, for messages (orderId, customerId, sku)
     * @param read        reads the raw value; throws {@link InvalidRecordException} naming the problem
     * @param eventIdOf   the event's id, from the event or its headers; null when it has none
     * @param recognisedByState events whose repeats the processor's own state recognises for at least
     *                    {@code dedupeTtl} (an OrderPlaced: its saga exists): their ids are checked but not remembered,
     *                    which would cost a store write and a changelog record each for nothing
     * @param dedupeStore the window store of eventIds seen
     */
    public IngressGate(String processor, String idField, Function<byte[], E> read, Function<E, String> idOf,
                       BiFunction<E, Headers, String> eventIdOf, Predicate<E> recognisedByState, String dedupeStore,
                       Duration dedupeTtl, OrderflowMetrics metrics) {
        this.processor = processor;
        this.idField = idField;
        this.read = read;
        this.idOf = idOf;
        this.eventIdOf = eventIdOf;
        this.recognisedByState = recognisedByState;
        this.dedupeStore = dedupeStore;
        this.dedupeTtl = dedupeTtl;
        this.metrics = metrics;
    }

    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        WindowStore<String, Long> seen = context.getStateStore(dedupeStore);
        this.dedupe = new EventDeduplicator(seen, dedupeTtl);
    }

    /**
     * The event when it passes; null when it was dead-lettered or dropped as a duplicate. A null value (a
     * tombstone) is unreadable like an empty one.
     */
    public E admit(Record<String, ?> record, byte[] raw) {
        E event;
        try {
            event = read.apply(raw);
        } catch (InvalidRecordException e) {
            deadLetter(record, raw, Rejection.UNREADABLE, e.getMessage());
            return null;
        }
        String id = idOf.apply(event);
        String problem = Ids.problem(idField, id);
        if (problem == null && !id.equals(record.key())) {
            problem = "record key '" + record.key() + "' does not match " + idField + " '" + id + "'";
        }
        // A redriven dead letter is identified by the letter, whatever it carries: redriving it again is a duplicate.
        String redrive = DeadLetters.redriveId(record.headers());
        String eventId = redrive != null ? redrive : eventIdOf.apply(event, record.headers());
        if (problem == null && eventId != null) {
            problem = Ids.problem("eventId", eventId);
        }
        if (problem != null) {
            deadLetter(record, raw, Rejection.INVALID, problem);
            return null;
        }
        if (eventId != null && !recognisedByState.test(event) && !dedupe.firstTime(eventId, record.timestamp())) {
            duplicate(record);
            return null;
        }
        return event;
    }

    /** Counts {@code record} as a duplicate of one already applied, by the topic it came from. */
    public void duplicate(Record<String, ?> record) {
        metrics.duplicate(DeadLetters.sourceOf(context, record.headers()).topic());
    }

    /** Sends {@code raw}, as {@code record} carried it, to the dead-letter topic with why; logs and counts it. */
    public void deadLetter(Record<String, ?> record, byte[] raw, String reason, String message) {
        DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
        log.warn("{} input {} sent to {}: {} {}", processor, source.identity(), Topics.DEAD_LETTERS, reason, message);
        metrics.deadLettered(source.topic(), reason);
        context.forward(DeadLetters.letter(record, source, raw, reason, message));
    }
}
