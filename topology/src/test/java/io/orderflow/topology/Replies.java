package io.orderflow.topology;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;

/** Replies a test pipes in when it plays the ledger or inventory itself ({@link OrderflowDriver#sagaOnly()}). */
final class Replies {
    private Replies() {
    }

    static InventoryReply inventory(String orderId, String sku, InventoryReplyType type, int quantity,
                                    CancelReason reason) {
        return new InventoryReply(orderId + ":" + type.name().toLowerCase() + ":" + sku, orderId, sku, type, quantity,
                reason);
    }

    static PaymentReply payment(String orderId, String customerId, PaymentReplyType type, long amount,
                                CancelReason reason) {
        return new PaymentReply(orderId + ":" + type.name().toLowerCase(), orderId, customerId, type, amount, "EUR",
                reason);
    }
}
