package io.orderflow.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A found value as the read API answers it: the value's own fields, then who served it; for a standby's copy,
 * {@code stale} and its {@code lag}; for a long-poll that ran out of time, {@code waitTimedOut}. Fields that do
 * not apply are left out.
 */
record Served<T>(@JsonUnwrapped T value,
                 @JsonInclude(JsonInclude.Include.NON_NULL) String servedBy,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Boolean stale,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Long lag,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Boolean waitTimedOut) {
}
