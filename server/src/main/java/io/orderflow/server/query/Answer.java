package io.orderflow.server.query;

import java.util.Optional;

/**
 * What the query layer answers a read with, whichever way it got it: the value (found on this instance, or
 * gathered from every instance), a key nobody has, another instance's answer passed on as it is, or no answer
 * right now (rebalancing, restoring, an instance not answering).
 */
public sealed interface Answer<T> {
    /**
     * @param servedBy the instance whose store answered, or null for an answer gathered from every instance
     * @param stale    whether it is a standby's copy, possibly behind
     * @param lag      for a standby copy, how many changelog records it is behind (0 for the active copy)
     */
    record Found<T>(T value, String servedBy, boolean stale, long lag) implements Answer<T> {
        static <T> Found<T> gathered(T value) {
            return new Found<>(value, null, false, 0);
        }
    }

    record NotFound<T>() implements Answer<T> {
    }

    /** The owner's (or a standby's) answer to the same request, whatever its status. */
    record Elsewhere<T>(int status, String body, Optional<String> retryAfter, Optional<String> servedBy)
            implements Answer<T> {
    }

    /** Not answerable right now; worth asking again after {@code retryAfterSeconds}. */
    record Unavailable<T>(String reason, long retryAfterSeconds) implements Answer<T> {
        public Unavailable(String reason) {
            this(reason, 1);
        }
    }
}
