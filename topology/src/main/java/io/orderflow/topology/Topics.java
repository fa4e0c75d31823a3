package io.orderflow.topology;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;

import java.util.List;

/** Every Orderflow topic, declared once. Code and tests refer to these constants, never to a string. */
public final class Topics {
    /** Ingress, key orderId: OrderPlaced, OrderCancelRequested as JSON or Avro. */
    public static final Topic<byte[]> ORDER_EVENTS = Topic.raw("order.events");
    /** Ingress, key sku: StockAdjusted as JSON or Avro. */
    public static final Topic<byte[]> INVENTORY_ADJUSTMENTS = Topic.raw("inventory.adjustments");
    /** Ingress, key customerId: FundsDeposited as JSON or Avro. */
    public static final Topic<byte[]> PAYMENT_DEPOSITS = Topic.raw("payment.deposits");

    public static final Topic<PaymentCommand> PAYMENT_COMMANDS = Topic.avro("payment.commands", PaymentCommand.class);
    public static final Topic<PaymentReply> PAYMENT_REPLIES = Topic.avro("payment.replies", PaymentReply.class);
    public static final Topic<InventoryCommand> INVENTORY_COMMANDS =
            Topic.avro("inventory.commands", InventoryCommand.class);
    public static final Topic<InventoryReply> INVENTORY_REPLIES = Topic.avro("inventory.replies", InventoryReply.class);
    public static final Topic<OrderStatusChanged> ORDER_STATUS = Topic.avro("order.status", OrderStatusChanged.class);

    /** Records that could not be read or were refused, value as received, reason in the headers. */
    public static final Topic<byte[]> DEAD_LETTERS = Topic.raw("orderflow.dlq");

    public static final List<Topic<?>> INGRESS = List.of(ORDER_EVENTS, INVENTORY_ADJUSTMENTS, PAYMENT_DEPOSITS);
    public static final List<Topic<?>> ALL = List.of(ORDER_EVENTS, INVENTORY_ADJUSTMENTS, PAYMENT_DEPOSITS,
            PAYMENT_COMMANDS, PAYMENT_REPLIES, INVENTORY_COMMANDS, INVENTORY_REPLIES, ORDER_STATUS, DEAD_LETTERS);

    private Topics() {
    }
}
