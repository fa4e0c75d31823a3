package io.orderflow.topology.tracing;

import io.opentelemetry.sdk.trace.IdGenerator;

/**
 * The SDK's span and trace ids: random, unless a saga step has fixed the next ones ({@link SpanIds}) — so a step
 * processed again after an aborted transaction gets the ids it had the first time. Install it on the tracer
 * provider ({@code SdkTracerProviderBuilder.setIdGenerator}).
 */
public final class StepIdGenerator implements IdGenerator {
    private final IdGenerator random = IdGenerator.random();

    @Override
    public String generateSpanId() {
        String id = SpanIds.nextSpanId();
        return id != null ? id : random.generateSpanId();
    }

    @Override
    public String generateTraceId() {
        String id = SpanIds.nextTraceId();
        return id != null ? id : random.generateTraceId();
    }
}
