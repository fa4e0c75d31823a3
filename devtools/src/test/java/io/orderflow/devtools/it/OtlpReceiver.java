package io.orderflow.devtools.it;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP/HTTP trace receiver for tests: {@code POST /v1/traces} with an {@code ExportTraceServiceRequest} in
 * protobuf, as OpenTelemetry's exporters send it, decoded from the wire format (the fields of
 * opentelemetry-proto's trace.proto that tests look at). Not a mock of a tracer: spans arrive over HTTP from the
 * SDK's own exporter. Listens on an ephemeral loopback port.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One span as received. Ids in lower-case hex; {@code parentSpanId} empty for a root. */
    public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                               int kind, Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                receiver.spans.addAll(decodeRequest(body.readAllBytes()));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
            } catch (IOException | RuntimeException e) {
                receiver.errors.add(e.toString());
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return receiver;
    }

    /** The OTLP/HTTP base endpoint, for {@code otel.exporter.otlp.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** Requests that could not be decoded. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static List<ReceivedSpan> decodeRequest(byte[] bytes) throws IOException {
        List<ReceivedSpan> out = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == 1) {
                decodeResourceSpans(in.readBytes().toByteArray(), out);
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static void decodeResourceSpans(byte[] bytes, List<ReceivedSpan> out) throws IOException {
        String service = "";
        List<byte[]> scopes = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> service = attributes(in.readBytes().toByteArray(), 1).getOrDefault("service.name", "");
                case 2 -> scopes.add(in.readBytes().toByteArray());
                default -> in.skipField(tag);
            }
        }
        for (byte[] scope : scopes) {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            CodedInputStream scopeIn = CodedInputStream.newInstance(scope);
            for (int tag = scopeIn.readTag(); tag != 0; tag = scopeIn.readTag()) {
                if (tag >>> 3 == 2) {
                    out.add(decodeSpan(service, scopeIn.readBytes().toByteArray()));
                } else {
                    scopeIn.skipField(tag);
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; … }
    private static ReceivedSpan decodeSpan(String service, byte[] bytes) throws IOException {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> traceId = HexFormat.of().formatHex(in.readBytes().toByteArray());
                case 2 -> spanId = HexFormat.of().formatHex(in.readBytes().toByteArray());
                case 4 -> parent = HexFormat.of().formatHex(in.readBytes().toByteArray());
                case 5 -> name = in.readString();
                case 6 -> kind = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, kind, attributes(bytes, 9));
    }

    /** The {@code KeyValue} entries of field {@code field} of a message, values as text. */
    private static Map<String, String> attributes(byte[] message, int field) throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        CodedInputStream in = CodedInputStream.newInstance(message);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 != field) {
                in.skipField(tag);
                continue;
            }
            // KeyValue { string key = 1; AnyValue value = 2; }
            CodedInputStream kv = CodedInputStream.newInstance(in.readBytes().toByteArray());
            String key = "";
            String value = "";
            for (int t = kv.readTag(); t != 0; t = kv.readTag()) {
                switch (t >>> 3) {
                    case 1 -> key = kv.readString();
                    case 2 -> value = anyValue(kv.readBytes().toByteArray());
                    default -> kv.skipField(t);
                }
            }
            attributes.put(key, value);
        }
        return attributes;
    }

    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; … }
    private static String anyValue(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> {
                    return in.readString();
                }
                case 2 -> {
                    return Boolean.toString(in.readBool());
                }
                case 3 -> {
                    return Long.toString(in.readInt64());
                }
                case 4 -> {
                    return Double.toString(in.readDouble());
                }
                default -> in.skipField(tag);
            }
        }
        return "";
    }
}
