package io.orderflow.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro class in the Confluent Schema Registry wire format,
 * byte-compatible with Confluent's {@code KafkaAvroSerializer}/{@code KafkaAvroDeserializer}
 * (which are not on Maven Central).
 *
 * <p>The serializer registers the class's schema under subject {@code <topic>-value} once per
 * topic. The deserializer reads whatever schema id a record carries into the class's current
 * schema using Avro schema resolution, so records written with an older compatible schema still
 * read. Both halves are thread-safe and may be shared by all stream threads.
 *
 * @param <T> the generated SpecificRecord class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    // A record this large is rare; dropping the buffer afterwards keeps one outlier from pinning
    // megabytes per thread for the life of the thread.
    private static final int MAX_RETAINED_BUFFER = 1 << 20;
    private static final byte[] HEADER_PLACEHOLDER = new byte[WireFormat.HEADER_SIZE];
    private static final ThreadLocal<Output> OUTPUT = ThreadLocal.withInitial(Output::new);
    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();

    private final Class<T> type;
    private final Schema schema;
    private final SpecificData model;
    private final SchemaRegistry registry;
    private final DatumWriter<T> writer;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, Reader<T>> readersById = new ConcurrentHashMap<>();
    private final Serializer<T> serializer = this::serialize;
    private final Deserializer<T> deserializer = this::deserialize;

    public AvroSerde(Class<T> type, SchemaRegistry registry) {
        this.type = Objects.requireNonNull(type, "type");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, model);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    private byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int id = schemaIdFor(topic);
        Output output = OUTPUT.get();
        try {
            output.bytes.reset();
            output.bytes.write(HEADER_PLACEHOLDER, 0, WireFormat.HEADER_SIZE);
            output.encoder = EncoderFactory.get().binaryEncoder(output.bytes, output.encoder);
            writer.write(data, output.encoder);
            output.encoder.flush();
            byte[] result = output.bytes.toByteArray();
            WireFormat.writeHeader(result, id);
            return result;
        } catch (IOException | RuntimeException e) {
            // Avro reports a missing required value as a NullPointerException naming the field.
            throw new SerializationException("cannot serialize " + type.getSimpleName() + " for topic '"
                    + topic + "': " + e, e);
        } finally {
            if (output.bytes.size() > MAX_RETAINED_BUFFER) {
                OUTPUT.remove();
            }
        }
    }

    private int schemaIdFor(String topic) {
        // Kafka may pass a null topic (e.g. some store code paths); a subject per record name
        // (Confluent's RecordNameStrategy) is then the only meaningful choice.
        String key = topic == null ? "" : topic;
        Integer id = idsByTopic.get(key);
        if (id == null) {
            String subject = topic == null ? schema.getFullName() : topic + "-value";
            id = registry.register(subject, schema);
            idsByTopic.put(key, id);
        }
        return id;
    }

    private T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (!WireFormat.isWireFormat(data)) {
            throw new SerializationException("record on topic '" + topic + "' is not in the Schema Registry "
                    + "wire format (" + type.getSimpleName() + " expected): " + WireFormat.describeStart(data));
        }
        int id = WireFormat.schemaId(data);
        Reader<T> reader = readerFor(id);
        if (reader.incompatibility != null) {
            throw new SerializationException("record on topic '" + topic + "' was written with schema id " + id
                    + " (" + reader.writerName + "), which " + schema.getFullName() + " cannot read: "
                    + reader.incompatibility);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(
                data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, DECODER.get());
        DECODER.set(decoder);
        T value;
        boolean complete;
        try {
            value = reader.datumReader.read(null, decoder);
            complete = decoder.isEnd();
        } catch (IOException | RuntimeException e) {
            // Truncated or corrupt bytes surface as EOFException, negative lengths, bad union
            // indexes or Avro's size limits; to the caller they are all the same unreadable record.
            throw new SerializationException("record on topic '" + topic + "' with schema id " + id + " ("
                    + reader.writerName + ") is not valid Avro (truncated or corrupt, "
                    + data.length + " bytes): " + e, e);
        }
        if (!complete) {
            throw new SerializationException("record on topic '" + topic + "' with schema id " + id + " ("
                    + reader.writerName + ") has unread bytes after the Avro data (" + data.length
                    + " bytes in total): corrupt, or written with a different schema than its id says");
        }
        return value;
    }

    private Reader<T> readerFor(int id) {
        Reader<T> reader = readersById.get(id);
        if (reader == null) {
            // Outside computeIfAbsent: the registry may do I/O, which must not block other ids.
            reader = newReader(registry.schemaById(id));
            Reader<T> raced = readersById.putIfAbsent(id, reader);
            reader = raced != null ? raced : reader;
        }
        return reader;
    }

    private Reader<T> newReader(Schema writerSchema) {
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            // Remembered so a flood of such records does not repeat the check.
            return new Reader<>(writerSchema.getFullName(), null, compatibility.getDescription());
        }
        return new Reader<>(writerSchema.getFullName(),
                new SpecificDatumReader<>(writerSchema, schema, model), null);
    }

    private record Reader<T>(String writerName, SpecificDatumReader<T> datumReader, String incompatibility) {
    }

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        BinaryEncoder encoder;
    }
}
