package io.orderflow.server.runtime;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.orderflow.topology.tracing.SpanIds;
import io.orderflow.topology.tracing.StepIdGenerator;
import io.orderflow.topology.tracing.StepTracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Distributed tracing (OpenTelemetry), off unless configured by the standard settings: {@code OTEL_*} environment
 * variables or {@code -Dotel.*} system properties, as every OpenTelemetry SDK reads them. It is on when a traces
 * exporter or an OTLP endpoint is set ({@code OTEL_TRACES_EXPORTER}, {@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) and {@code OTEL_SDK_DISABLED} is not true; then spans go out by OTLP
 * (HTTP/protobuf to port 4318 unless told otherwise). Only traces: metrics stay on {@code /metrics}.
 *
 * <p>The SDK takes span ids from {@link SpanIds} when a saga step sets them ({@link StepIdGenerator}), so that a step processed again after an
 * aborted transaction has the ids it had the first time.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    /** The settings that turn tracing on, in their property form ({@code otel.traces.exporter} …). */
    private static final List<String> SWITCHES = List.of("otel.traces.exporter", "otel.exporter.otlp.endpoint",
            "otel.exporter.otlp.traces.endpoint");

    private final OpenTelemetrySdk sdk;

    private Tracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
    }

    /** Tracing off. */
    public static Tracing off() {
        return new Tracing(null);
    }

    /** As the environment and system properties configure it, for the service {@code serviceName}. */
    public static Tracing fromEnvironment(String serviceName) {
        return configure(serviceName, Map.of());
    }

    /**
     * As the environment and system properties configure it, {@code settings} ({@code otel.*} names) on top —
     * for tests, which cannot set a variable of their own JVM.
     */
    public static Tracing configure(String serviceName, Map<String, String> settings) {
        if (!enabled(settings)) {
            return off();
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", serviceName);
        defaults.put("otel.traces.exporter", "otlp");
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .addPropertiesCustomizer(config -> settings)
                .addTracerProviderCustomizer((builder, config) -> builder.setIdGenerator(new StepIdGenerator()))
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        log.info("Tracing on: {} exports spans as configured by OTEL_* / otel.*", serviceName);
        return new Tracing(sdk);
    }

    public boolean enabled() {
        return sdk != null;
    }

    public OpenTelemetry openTelemetry() {
        return sdk == null ? OpenTelemetry.noop() : sdk;
    }

    /** The saga steps' tracer. */
    public StepTracer steps() {
        return StepTracer.of(openTelemetry());
    }

    /** Exports what is still buffered, then stops. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.close();
        }
    }

    private static boolean enabled(Map<String, String> settings) {
        if ("true".equalsIgnoreCase(setting("otel.sdk.disabled", settings))) {
            return false;
        }
        for (String name : SWITCHES) {
            String value = setting(name, settings);
            if (value != null && !value.isBlank() && !"none".equalsIgnoreCase(value.trim())) {
                return true;
            }
        }
        return false;
    }

    /** {@code name} from {@code settings}, a system property, or its environment variable, in that order. */
    private static String setting(String name, Map<String, String> settings) {
        if (settings.containsKey(name)) {
            return settings.get(name);
        }
        String property = System.getProperty(name);
        if (property != null) {
            return property;
        }
        return System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_'));
    }
}
