package io.orderflow.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Helpers for the Confluent Schema Registry wire format: byte 0 is the magic byte 0, bytes 1–4
 * are the schema id (big-endian), the rest is Avro binary. Byte-compatible with Confluent's
 * serializers, so their console tools read and write Orderflow's topics.
 */
public final class WireFormat {

    /** The first byte of every wire-format record. */
    public static final byte MAGIC_BYTE = 0;

    /** Magic byte plus a four-byte schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Whether {@code data} can be a wire-format record: at least a header and magic byte 0. */
    public static boolean isWireFormat(byte[] data) {
        return data != null && data.length >= HEADER_SIZE && data[0] == MAGIC_BYTE;
    }

    /**
     * The schema id in the header of {@code data}.
     *
     * @throws SerializationException if {@code data} is not in the wire format
     */
    public static int schemaId(byte[] data) {
        if (!isWireFormat(data)) {
            throw new SerializationException("not in the Schema Registry wire format: " + describeStart(data));
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }

    /** Says what a record starts with, for error messages about records that are not wire format. */
    static String describeStart(byte[] data) {
        if (data == null) {
            return "record is null";
        }
        if (data.length == 0) {
            return "record is empty";
        }
        String first = "first byte is " + describeByte(data[0]);
        if (data[0] != MAGIC_BYTE) {
            return first + ", expected the magic byte 0x00";
        }
        return first + " but the record has only " + data.length
                + " byte(s), fewer than the " + HEADER_SIZE + "-byte header";
    }

    static String describeByte(byte b) {
        int v = b & 0xff;
        String hex = String.format("0x%02x", v);
        return v >= 0x20 && v < 0x7f ? hex + " ('" + (char) v + "')" : hex;
    }
}
