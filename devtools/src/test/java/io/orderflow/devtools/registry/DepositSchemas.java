package io.orderflow.devtools.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.serde.WireFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Evolutions of the {@link FundsDeposited} contract, as another team's producer would make them, and records
 * written with them by plain Avro — so a test can register and write a schema this build has no class for.
 */
final class DepositSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Today's schema plus an optional {@code note} (default null): BACKWARD compatible. */
    static final Schema WITH_NOTE = withField(JSON.createObjectNode().put("name", "note").putNull("default")
            .set("type", JSON.createArrayNode().add("null").add("string")));

    /** Today's schema plus a required {@code channel} without default: a reader with it cannot read older records. */
    static final Schema WITH_REQUIRED_CHANNEL = withField(JSON.createObjectNode().put("name", "channel")
            .put("type", "string"));

    private DepositSchemas() {
    }

    /** {@code deposit} as a {@link #WITH_NOTE} record carrying {@code note}. */
    static GenericRecord withNote(FundsDeposited deposit, String note) {
        GenericRecord record = new GenericData.Record(WITH_NOTE);
        record.put("eventId", deposit.getEventId());
        record.put("customerId", deposit.getCustomerId());
        record.put("amount", deposit.getAmount());
        record.put("currency", deposit.getCurrency());
        record.put("note", note);
        return record;
    }

    /** A record in the wire format, written by plain Avro: magic byte, schema id, Avro binary. */
    static byte[] wireFormat(int schemaId, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(WireFormat.HEADER_SIZE).put(WireFormat.MAGIC_BYTE).putInt(schemaId).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Today's schema with {@code field} appended, under the same full name. */
    private static Schema withField(ObjectNode field) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(FundsDeposited.getClassSchema().toString());
            ((ArrayNode) json.get("fields")).add(field);
            return new Schema.Parser().parse(json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
