package io.orderflow.devtools.console;

import io.orderflow.serde.SchemaRegistry;
import io.orderflow.serde.WireFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A formatter for Kafka's console consumer that prints Avro records in the Schema Registry wire format as one JSON
 * line each, with the writer schema fetched by id from {@code schema.registry.url} (default {@code local:}).
 * Values that are not in the wire format (JSON on ingress topics, dead letters) are printed as text.
 * Formatter properties: {@code schema.registry.url}, {@code print.key} (default false).
 */
public final class AvroJsonFormatter implements MessageFormatter {
    private SchemaRegistry registry;
    private boolean printKey;

    @Override
    public void configure(Map<String, ?> configs) {
        Object url = configs.get("schema.registry.url");
        registry = SchemaRegistry.fromUrl(url == null ? "local:" : url.toString());
        printKey = Boolean.parseBoolean(String.valueOf(configs.get("print.key")));
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> record, PrintStream output) {
        if (registry == null) {
            configure(Map.of());
        }
        if (printKey) {
            output.print(record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8));
            output.print('\t');
        }
        output.println(render(record.value()));
    }

    String render(byte[] value) {
        if (value == null) {
            return "null";
        }
        if (!WireFormat.isWireFormat(value)) {
            return new String(value, StandardCharsets.UTF_8);
        }
        try {
            Schema schema = registry.schemaById(WireFormat.schemaId(value));
            var reader = new GenericDatumReader<Object>(schema);
            Object datum = reader.read(null, DecoderFactory.get().binaryDecoder(value, WireFormat.HEADER_SIZE,
                    value.length - WireFormat.HEADER_SIZE, null));
            // GenericData's rendering is plain JSON (unions unwrapped), unlike Avro's JSON encoding.
            return GenericData.get().toString(datum);
        } catch (IOException | RuntimeException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
    }
}
