package io.orderflow.topology.tracing;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.serde.IngressJson;
import io.orderflow.topology.OrderflowDriver;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga's spans with the real OpenTelemetry SDK (spans collected by a span exporter of the test's own): a step's
 * span is the child of its input's {@code traceparent}, its outputs carry its own context, and the same input
 * processed again — what exactly-once does after an aborted transaction: the state and the input as of the last
 * commit — gets the same span id, so the committed records always name one span.
 */
class StepTracerTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    @Test
    void shouldGiveAStepTheSameSpanWhenItsInputIsProcessedAgainAfterAnAbortedTransaction() {
        // Given the SDK with the step id generator
        Collected collected = new Collected();
        StepTracer tracer = tracer(collected);

        // When the same OrderPlaced, in a client's trace, is processed twice from the same offset
        List<String> commandContexts = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            try (OrderflowDriver driver = OrderflowDriver.sagaOnly(tracer)) {
                Headers headers = new RecordHeaders();
                headers.add(StepTracer.TRACEPARENT, ("00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                        .getBytes(StandardCharsets.UTF_8));
                driver.pipeOrderEvent("o-1", placed("o-1"), headers);
                for (TestRecord<String, PaymentCommand> command : driver.paymentCommandRecords()) {
                    commandContexts.add(new String(command.headers().lastHeader(StepTracer.TRACEPARENT).value(),
                            StandardCharsets.UTF_8));
                }
            }
        }

        // Then both attempts made one span, with the same ids, a child of the client's span
        assertThat(collected.spans).hasSize(2);
        SpanData first = collected.spans.get(0);
        SpanData second = collected.spans.get(1);
        assertThat(first.getName()).isEqualTo("saga.step.placed");
        assertThat(first.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(first.getTraceId()).isEqualTo(CLIENT_TRACE);
        assertThat(first.getParentSpanId()).isEqualTo(CLIENT_SPAN);
        assertThat(second.getSpanId()).isEqualTo(first.getSpanId());
        assertThat(second.getTraceId()).isEqualTo(first.getTraceId());
        assertThat(first.getAttributes().get(StepTracer.SAGA_ID)).isEqualTo("o-1");
        assertThat(first.getAttributes().get(StepTracer.SAGA_STATUS)).isEqualTo("AWAITING");
        // and the command each attempt wrote names that one span as its parent
        assertThat(commandContexts).hasSize(2).containsOnly("00-" + CLIENT_TRACE + "-" + first.getSpanId() + "-01");
    }

    @Test
    void shouldStartTheSameTraceWhenAnOrderWithoutTraceContextIsProcessedAgain() {
        // Given an OrderPlaced without trace context (from a console producer), processed twice from one offset
        Collected collected = new Collected();
        StepTracer tracer = tracer(collected);
        for (int attempt = 0; attempt < 2; attempt++) {
            try (OrderflowDriver driver = OrderflowDriver.sagaOnly(tracer)) {
                driver.pipeOrderEvent("o-2", placed("o-2"));
            }
        }

        // Then it starts a trace, the same one both times
        assertThat(collected.spans).hasSize(2);
        assertThat(collected.spans.get(0).getParentSpanContext().isValid()).isFalse();
        assertThat(collected.spans.get(1).getTraceId()).isEqualTo(collected.spans.get(0).getTraceId());
        assertThat(collected.spans.get(1).getSpanId()).isEqualTo(collected.spans.get(0).getSpanId());
    }

    @Test
    void shouldWriteNoTraceContextWhenTracingIsOff() {
        try (OrderflowDriver driver = OrderflowDriver.sagaOnly(StepTracer.OFF)) {
            driver.pipeOrderEvent("o-3", placed("o-3"));

            assertThat(driver.paymentCommandRecords()).isNotEmpty().allSatisfy(command ->
                    assertThat(command.headers().lastHeader(StepTracer.TRACEPARENT)).isNull());
        }
    }

    private static StepTracer tracer(Collected collected) {
        SdkTracerProvider provider = SdkTracerProvider.builder().setIdGenerator(new StepIdGenerator())
                .addSpanProcessor(SimpleSpanProcessor.create(collected)).build();
        return StepTracer.of(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    }

    private static byte[] placed(String orderId) {
        return IngressJson.write(new OrderEvent("e-" + orderId, orderId, new OrderPlaced("c-1", "EUR",
                new ArrayList<>(List.of(new OrderLine("apple", 1, 100L))), null)));
    }

    /** The spans the SDK ended, in order. */
    private static final class Collected implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
