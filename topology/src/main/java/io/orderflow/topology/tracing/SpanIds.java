package io.orderflow.topology.tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The ids the next span started on this thread must take, when they are to be the same on every attempt: a step of
 * a saga processed again after an aborted transaction (exactly-once re-reads its input) gets the span id — and, at
 * the root of a trace, the trace id — of the attempt before, derived from where its input was read. The SDK's id
 * generator reads them ({@code io.orderflow.server.runtime.Tracing}); without one installed they are never read.
 */
public final class SpanIds {
    private static final ThreadLocal<String[]> NEXT = new ThreadLocal<>();

    private SpanIds() {
    }

    /** The ids of a step that read {@code topic}/{@code partition}/{@code offset}: [trace id, span id], in hex. */
    static String[] of(String step, String topic, int partition, long offset) {
        byte[] hash = sha256(step + '\u0000' + topic + '\u0000' + partition + '\u0000' + offset);
        return new String[] {hex(hash, 0, 16), hex(hash, 16, 8)};
    }

    /** Sets the ids for the next span this thread starts; {@link #clear()} after starting it. */
    static void set(String[] ids) {
        NEXT.set(ids);
    }

    static void clear() {
        NEXT.remove();
    }

    /** The trace id the next span must take if it starts a trace, or null for a random one. */
    public static String nextTraceId() {
        String[] ids = NEXT.get();
        return ids == null ? null : ids[0];
    }

    /** The span id the next span must take, or null for a random one. */
    public static String nextSpanId() {
        String[] ids = NEXT.get();
        return ids == null ? null : ids[1];
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String hex(byte[] bytes, int from, int length) {
        StringBuilder hex = new StringBuilder(length * 2);
        for (int i = from; i < from + length; i++) {
            hex.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        String id = hex.toString();
        // An all-zero id is invalid in W3C trace context; one in 2^64 hashes: take a fixed valid one instead.
        return id.chars().allMatch(c -> c == '0') ? "1" + id.substring(1) : id;
    }
}
