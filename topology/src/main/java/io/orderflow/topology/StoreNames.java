package io.orderflow.topology;

/** Every state store, named once; the interactive-query layer and the tests use the same constants. */
public final class StoreNames {
    /** orderId → SagaState. */
    public static final String ORDER_SAGA = "order-saga";
    /** "deadline|orderId" → orderId, for orders AWAITING; scanned by the timeout punctuator. */
    public static final String SAGA_DEADLINES = "saga-deadlines";
    /** eventId → first-seen time, windowed so entries expire after the de-duplication TTL. */
    public static final String SAGA_DEDUPE = "saga-dedupe";
    /** orderId → SagaTimeline: what the order's saga read and sent, with where; purged with the saga. */
    public static final String SAGA_TIMELINE = "saga-timeline";

    /** customerId → Account. */
    public static final String PAYMENT_ACCOUNTS = "payment-accounts";
    /** customerId/orderId → PaymentRecord. */
    public static final String PAYMENT_ORDERS = "payment-orders";
    public static final String PAYMENT_DEDUPE = "payment-dedupe";

    /** sku → Stock. */
    public static final String INVENTORY_STOCK = "inventory-stock";
    /** sku/orderId → StockRecord. */
    public static final String INVENTORY_ORDERS = "inventory-orders";
    public static final String INVENTORY_DEDUPE = "inventory-dedupe";

    /** orderId → OrderView. */
    public static final String ORDERS_VIEW = "orders-view";
    /** customerId → CustomerOrders. */
    public static final String CUSTOMER_ORDERS_VIEW = "customer-orders-view";
    /** windowed status → StatusWindow. */
    public static final String ORDER_ANALYTICS = "order-analytics";

    private StoreNames() {
    }

    /** Key of a per-order record in a store keyed by customer or sku. */
    public static String orderKey(String owner, String orderId) {
        return owner + "/" + orderId;
    }
}
