package io.orderflow.domain;

import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;

import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Content rules for an {@link OrderPlaced}: what makes an order {@code INVALID_ORDER}. Structure and types are
 * checked earlier by the ingress reader; these are the business rules a well-formed record can still break.
 */
public final class OrderValidation {
    public static final int MAX_LINES = 50;
    /** The longest note, in characters (Unicode code points). */
    public static final int MAX_NOTE = 500;

    private OrderValidation() {
    }

    /** The first problem with the order, or {@code null} when it is valid. */
    public static String problem(OrderPlaced placed) {
        String id = Ids.problem("customerId", placed.getCustomerId());
        if (id != null) {
            return id;
        }
        String currency = currencyProblem(placed.getCurrency());
        if (currency != null) {
            return currency;
        }
        List<OrderLine> lines = placed.getLines();
        if (lines.isEmpty() || lines.size() > MAX_LINES) {
            return "an order has 1-" + MAX_LINES + " lines, this one has " + lines.size();
        }
        Set<String> skus = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            OrderLine line = lines.get(i);
            String sku = Ids.problem("lines[" + i + "].sku", line.getSku());
            if (sku != null) {
                return sku;
            }
            if (!skus.add(line.getSku())) {
                return "lines[" + i + "].sku '" + line.getSku() + "' appears twice; put the quantity on one line";
            }
            if (line.getQuantity() <= 0) {
                return "lines[" + i + "].quantity must be > 0, was " + line.getQuantity();
            }
            if (line.getUnitPrice() < 0) {
                return "lines[" + i + "].unitPrice must be >= 0, was " + line.getUnitPrice();
            }
        }
        if (total(lines) < 0) {
            return "order total overflows a long of minor units";
        }
        return noteProblem(placed.getNote());
    }

    /**
     * Why {@code note} is not a valid order note, or {@code null} (also for no note): at most {@value #MAX_NOTE}
     * characters, and no control characters but tab, line feed and carriage return.
     */
    public static String noteProblem(String note) {
        if (note == null) {
            return null;
        }
        int length = note.codePointCount(0, note.length());
        if (length > MAX_NOTE) {
            return "note must be at most " + MAX_NOTE + " characters, was " + length;
        }
        for (int i = 0; i < note.length(); i++) {
            char c = note.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                return "note must not contain control characters; character " + (note.codePointCount(0, i) + 1)
                        + " is U+" + String.format("%04X", (int) c);
            }
        }
        return null;
    }

    /** Why {@code code} is not an ISO 4217 currency code, or {@code null}. */
    public static String currencyProblem(String code) {
        if (code == null || code.length() != 3) {
            return "currency must be an ISO 4217 code such as EUR, was '" + code + "'";
        }
        try {
            Currency.getInstance(code);
            return null;
        } catch (IllegalArgumentException e) {
            return "currency '" + code + "' is not an ISO 4217 code";
        }
    }

    /** Sum of quantity × unit price in minor units, or -1 when it overflows. */
    public static long total(List<OrderLine> lines) {
        long total = 0;
        try {
            for (OrderLine line : lines) {
                total = Math.addExact(total, Math.multiplyExact((long) line.getQuantity(), line.getUnitPrice()));
            }
            return total;
        } catch (ArithmeticException overflow) {
            return -1;
        }
    }
}
