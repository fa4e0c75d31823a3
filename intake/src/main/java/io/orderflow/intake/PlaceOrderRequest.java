package io.orderflow.intake;

import java.util.List;

/**
 * An order as a client submits it: who, in which currency, the lines, and an optional note (null when none). Money is
 * in minor units (1250 = 12.50 EUR). Checked by {@link IntakeService#placeOrder} with the same rules the saga applies.
 */
public record PlaceOrderRequest(String customerId, String currency, List<Line> lines, String note) {

    /** An order without a note. */
    public PlaceOrderRequest(String customerId, String currency, List<Line> lines) {
        this(customerId, currency, lines, null);
    }

    /** One line: a sku once per order, a quantity &gt; 0 and a unit price &ge; 0 in minor units. */
    public record Line(String sku, int quantity, long unitPrice) {
    }
}
