package io.orderflow.server.query;

import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.state.SagaState;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which sagas {@code GET /sagas} lists: by status (by default those still running), placed before a time, of one
 * customer, after a cursor; at most {@code limit}, oldest first (placed time, then order id).
 *
 * @param placedBefore epoch ms: only sagas placed before it ({@code olderThan} as the gathering instance's clock
 *                     made it), {@link Long#MAX_VALUE} for any
 * @param customerId   only this customer's, or null
 * @param after        only sagas after this one in the order above, or null from the start
 */
public record SagaFilter(Set<OrderStatus> statuses, long placedBefore, String customerId, Cursor after, int limit) {
    /** Sagas still running: placed, awaiting replies, or compensating. */
    public static final Set<OrderStatus> RUNNING = Set.copyOf(EnumSet.of(OrderStatus.PLACED, OrderStatus.AWAITING,
            OrderStatus.COMPENSATING));

    /** Oldest first. */
    public static final Comparator<Views.Saga> ORDER = Comparator.comparingLong(Views.Saga::placedAt)
            .thenComparing(Views.Saga::orderId);

    /** A position in that order: a saga's placed time and order id, written {@code <placedAt>:<orderId>}. */
    public record Cursor(long placedAt, String orderId) {
        public static Cursor of(Views.Saga saga) {
            return new Cursor(saga.placedAt(), saga.orderId());
        }

        /** @throws IllegalArgumentException naming what is wrong */
        public static Cursor parse(String text) {
            int colon = text.indexOf(':');
            try {
                if (colon > 0 && colon < text.length() - 1) {
                    return new Cursor(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
                }
            } catch (NumberFormatException e) {
                // answered below
            }
            throw new IllegalArgumentException("from must be the 'next' of a previous page (<placedAt>:<orderId>), "
                    + "was '" + text + "'");
        }

        boolean before(Views.Saga saga) {
            return placedAt < saga.placedAt() || placedAt == saga.placedAt() && orderId.compareTo(saga.orderId()) < 0;
        }

        @Override
        public String toString() {
            return placedAt + ":" + orderId;
        }
    }

    /** {@code status=AWAITING,COMPENSATING}: names of {@link OrderStatus}, case-insensitive. */
    public static Set<OrderStatus> parseStatuses(String text) {
        Set<OrderStatus> statuses = EnumSet.noneOf(OrderStatus.class);
        for (String name : text.split(",")) {
            try {
                statuses.add(OrderStatus.valueOf(name.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status must be one or more of " + EnumSet.allOf(OrderStatus.class)
                        .stream().map(Enum::name).collect(Collectors.joining(", ")) + " (comma-separated), was '"
                        + text + "'");
            }
        }
        return Set.copyOf(statuses);
    }

    public boolean matches(SagaState saga) {
        return statuses.contains(saga.getStatus()) && saga.getPlacedAt() < placedBefore
                && (customerId == null || customerId.equals(saga.getCustomerId()));
    }

    public boolean matches(Views.Saga saga) {
        return after == null || after.before(saga);
    }

    /** The query that asks another instance for its part of this page. */
    String localQuery() {
        StringBuilder query = new StringBuilder("/sagas?scope=local&limit=").append(limit + 1)
                .append("&status=").append(statuses.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        if (placedBefore != Long.MAX_VALUE) {
            query.append("&placedBefore=").append(placedBefore);
        }
        if (customerId != null) {
            query.append("&customerId=").append(java.net.URLEncoder.encode(customerId,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        if (after != null) {
            query.append("&from=").append(java.net.URLEncoder.encode(after.toString(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return query.toString();
    }
}
