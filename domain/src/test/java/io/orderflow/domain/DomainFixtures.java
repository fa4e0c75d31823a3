package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.Stock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for the Avro records the domain tests feed to the rules, so each test states only what matters to it. */
final class DomainFixtures {
    static final String ORDER = "o1";
    static final String CUSTOMER = "c1";
    static final String EUR = "EUR";

    private DomainFixtures() {
    }

    static OrderLine line(String sku, int quantity, long unitPrice) {
        return new OrderLine(sku, quantity, unitPrice);
    }

    static OrderPlaced order(OrderLine... lines) {
        return order(CUSTOMER, EUR, List.of(lines));
    }

    static OrderPlaced order(String customerId, String currency, List<OrderLine> lines) {
        // The all-args constructor skips the builder's validation, so tests can build what a reader might let through.
        return new OrderPlaced(customerId, currency, new ArrayList<>(lines), null);
    }

    static PaymentReply paymentReply(PaymentReplyType type) {
        return paymentReply(type, null);
    }

    static PaymentReply paymentReply(PaymentReplyType type, CancelReason reason) {
        return PaymentReply.newBuilder()
                .setEventId(ORDER + ":" + type.name().toLowerCase())
                .setOrderId(ORDER)
                .setCustomerId(CUSTOMER)
                .setType(type)
                .setAmount(0)
                .setCurrency(EUR)
                .setReason(reason)
                .build();
    }

    static InventoryReply inventoryReply(String sku, InventoryReplyType type) {
        return inventoryReply(sku, type, null);
    }

    static InventoryReply inventoryReply(String sku, InventoryReplyType type, CancelReason reason) {
        return InventoryReply.newBuilder()
                .setEventId(ORDER + ":" + type.name().toLowerCase() + ":" + sku)
                .setOrderId(ORDER)
                .setSku(sku)
                .setType(type)
                .setQuantity(1)
                .setReason(reason)
                .build();
    }

    static PaymentCommand paymentCommand(String orderId, PaymentCommandType type, long amount) {
        return paymentCommand(orderId, type, amount, EUR);
    }

    static PaymentCommand paymentCommand(String orderId, PaymentCommandType type, long amount, String currency) {
        return PaymentCommand.newBuilder()
                .setEventId(orderId + ":" + type.name().toLowerCase())
                .setOrderId(orderId)
                .setCustomerId(CUSTOMER)
                .setType(type)
                .setAmount(amount)
                .setCurrency(currency)
                .build();
    }

    static InventoryCommand inventoryCommand(String orderId, String sku, InventoryCommandType type, int quantity) {
        return InventoryCommand.newBuilder()
                .setEventId(orderId + ":" + type.name().toLowerCase() + ":" + sku)
                .setOrderId(orderId)
                .setSku(sku)
                .setType(type)
                .setQuantity(quantity)
                .build();
    }

    static FundsDeposited deposit(long amount) {
        return deposit(CUSTOMER, amount, EUR);
    }

    static FundsDeposited deposit(String customerId, long amount, String currency) {
        return new FundsDeposited("d-" + amount, customerId, amount, currency);
    }

    /** An account whose open holds (orderId → amount) are held in its total, as this version writes it. */
    static Account account(long balance, Map<String, Long> holds) {
        long held = holds.values().stream().mapToLong(Long::longValue).sum();
        return new Account(CUSTOMER, EUR, balance, new HashMap<>(), 1L, held);
    }

    /** An account as written before the held total existed: every open hold listed by orderId. */
    static Account legacyAccount(long balance, Map<String, Long> holds) {
        return new Account(CUSTOMER, EUR, balance, new HashMap<>(holds), 1L, 0L);
    }

    static StockAdjusted adjustment(String sku, int delta, Long expectedVersion) {
        return new StockAdjusted("a-" + delta, sku, delta, "test", expectedVersion);
    }

    /** A stock whose open reservations (orderId → quantity) are held in its total, as this version writes it. */
    static Stock stock(String sku, long onHand, Map<String, Integer> reservations, long version) {
        long reserved = reservations.values().stream().mapToLong(Integer::longValue).sum();
        return new Stock(sku, onHand, new HashMap<>(), version, reserved);
    }

    /** A stock as written before the reserved total existed: every open reservation listed by orderId. */
    static Stock legacyStock(String sku, long onHand, Map<String, Integer> reservations, long version) {
        return new Stock(sku, onHand, new HashMap<>(reservations), version, 0L);
    }

    /** A deep copy to compare an input against after a call that must not have mutated it. */
    static SagaState snapshot(SagaState state) {
        return SagaState.newBuilder(state).build();
    }

    static Account snapshot(Account account) {
        return account == null ? null : Account.newBuilder(account).build();
    }

    static Stock snapshot(Stock stock) {
        return stock == null ? null : Stock.newBuilder(stock).build();
    }

    static OrderStatusChanged statusChange(String orderId, OrderStatus status, OrderStatus previous,
                                           CancelReason reason, int version, long total) {
        return OrderStatusChanged.newBuilder()
                .setEventId(orderId + ":v" + version)
                .setOrderId(orderId)
                .setCustomerId(CUSTOMER)
                .setStatus(status)
                .setPreviousStatus(previous)
                .setReason(reason)
                .setVersion(version)
                .setTotal(total)
                .setCurrency(EUR)
                .setLines(new ArrayList<>(List.of(line("s1", 1, total))))
                .setPlacedAt(1_000L)
                .setChangedAt(1_000L + version)
                .build();
    }
}
