package io.orderflow.topology.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One span per saga step, across every Kafka hop: a processor starts a step's span as a child of the W3C trace
 * context in its input record's {@value #TRACEPARENT} header, and puts the span's own context on every record the
 * step writes — so an order's trace runs from the intake's {@code POST /orders} through the outbox, the saga, each
 * payment and inventory command and reply, to the terminal status.
 *
 * <p>Under exactly-once a step whose transaction aborted is processed again: its span then takes the same ids as
 * the attempt before ({@link SpanIds}, from the input's topic, partition and offset), so the committed records
 * always point at one span id; the aborted attempt's span, already exported, reaches the backend as a second copy
 * of that id. With tracing off ({@link #OFF}) nothing is started and no header written.
 */
public final class StepTracer {
    /** The W3C trace context header, on Kafka records as in HTTP. */
    public static final String TRACEPARENT = "traceparent";
    public static final AttributeKey<String> SAGA_ID = AttributeKey.stringKey("saga.id");
    public static final AttributeKey<String> SAGA_STEP = AttributeKey.stringKey("saga.step");
    public static final AttributeKey<Long> SAGA_ATTEMPT = AttributeKey.longKey("saga.attempt");
    public static final AttributeKey<String> SAGA_STATUS = AttributeKey.stringKey("saga.status");

    /** Tracing off: no spans, no headers. */
    public static final StepTracer OFF = new StepTracer(null);

    private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Headers> FROM_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(header -> keys.add(header.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    };
    private static final TextMapSetter<Headers> TO_HEADERS = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private final Tracer tracer;

    private StepTracer(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Steps traced through {@code openTelemetry} (the no-op one traces nothing). */
    public static StepTracer of(OpenTelemetry openTelemetry) {
        return openTelemetry == null || openTelemetry == OpenTelemetry.noop() ? OFF
                : new StepTracer(openTelemetry.getTracer("io.orderflow.saga"));
    }

    /**
     * Starts step {@code name} of order {@code orderId}, a child of the context in {@code input}'s headers (the
     * root of a trace when there is none), with ids fixed by where the input was read.
     */
    public Step start(String name, String orderId, Headers input, ProcessorContext<?, ?> context) {
        if (tracer == null) {
            return Step.NONE;
        }
        Context parent = PROPAGATOR.extract(Context.root(), input, FROM_HEADERS);
        Optional<RecordMetadata> where = context.recordMetadata();
        if (where.isPresent()) {
            SpanIds.set(SpanIds.of(name, where.get().topic(), where.get().partition(), where.get().offset()));
        }
        try {
            Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CONSUMER)
                    .setAttribute(SAGA_ID, orderId).setAttribute(SAGA_STEP, name).setAttribute(SAGA_ATTEMPT, 1L)
                    .startSpan();
            return new Step(span);
        } finally {
            SpanIds.clear();
        }
    }

    /** A step's span, ended by {@link #end()}; {@link #NONE} when tracing is off. */
    public static final class Step {
        public static final Step NONE = new Step(null);
        private final Span span;

        private Step(Span span) {
            this.span = span;
        }

        /** Writes this step's context into an output record's {@code headers}. */
        public Headers inject(Headers headers) {
            if (span != null) {
                PROPAGATOR.inject(Context.root().with(span), headers, TO_HEADERS);
            }
            return headers;
        }

        /** Marks how many times the step's commands have been sent, operator re-sends included. */
        public void attempt(long attempt) {
            if (span != null) {
                span.setAttribute(SAGA_ATTEMPT, attempt);
            }
        }

        /** Marks the saga status the step left. */
        public void status(String status) {
            if (span != null) {
                span.setAttribute(SAGA_STATUS, status);
            }
        }

        public void end() {
            if (span != null) {
                span.end();
            }
        }
    }
}
