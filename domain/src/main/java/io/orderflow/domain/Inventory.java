package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;

import java.util.HashMap;

/**
 * Inventory rules for one sku. Reserving succeeds if {@code onHand − reserved ≥ qty}; commit turns a
 * reservation into a decrement of onHand; release drops a reservation, or restocks a committed line (a refund
 * after confirmation). Adjustments may carry an optimistic-lock {@code expectedVersion} and may never push onHand
 * below what is reserved, so there is no oversell and onHand never goes negative.
 *
 * <p>Every command is idempotent per (orderId, sku, command) through the per-order {@link StockRecord}, which is
 * also the only place an order's reservation is kept: {@link Stock} holds the total, so a command costs the same
 * however many orders hold the sku (a sale item). Reservations written before the total existed are still listed
 * in {@link Stock#getReservations()}; they count, and leave that map when committed or released.
 */
public final class Inventory {
    private Inventory() {
    }

    public static StockStep adjust(Stock stock, StockAdjusted adjustment) {
        String sku = Ids.problem("sku", adjustment.getSku());
        if (sku != null) {
            return StockStep.rejected(stock, null, Rejection.INVALID, sku);
        }
        if (adjustment.getDelta() == 0) {
            return StockStep.rejected(stock, null, Rejection.INVALID, "delta must not be 0");
        }
        long version = stock == null ? 0 : stock.getVersion();
        Long expected = adjustment.getExpectedVersion();
        if (expected != null && expected != version) {
            return StockStep.rejected(stock, null, Rejection.VERSION_CONFLICT, "sku " + adjustment.getSku()
                    + " is at version " + version + ", adjustment expected " + expected);
        }
        long onHand = stock == null ? 0 : stock.getOnHand();
        long reserved = stock == null ? 0 : reserved(stock);
        long next = onHand + adjustment.getDelta();
        if (next < reserved) {
            return StockStep.rejected(stock, null, Rejection.BELOW_RESERVED, "sku " + adjustment.getSku()
                    + ": onHand " + onHand + " + delta " + adjustment.getDelta() + " would be below the "
                    + reserved + " reserved");
        }
        Stock updated = stock == null
                ? new Stock(adjustment.getSku(), 0L, new HashMap<>(), 0L, 0L)
                : Stock.newBuilder(stock).build();
        updated.setOnHand(next);
        updated.setVersion(version + 1);
        return new StockStep(updated, null, null, null, true);
    }

    /** Applies a saga command; {@code record} is what was done for this order and sku before, or null. */
    public static StockStep apply(Stock stock, StockRecord record, InventoryCommand command) {
        if (command.getQuantity() <= 0) {
            return StockStep.rejected(stock, record, Rejection.INVALID,
                    "quantity must be > 0, was " + command.getQuantity());
        }
        return switch (command.getType()) {
            case RESERVE -> reserve(stock, record, command);
            case COMMIT -> commit(stock, record, command);
            case RELEASE -> release(stock, record, command);
        };
    }

    /** The quantity held by open reservations: the total, plus any still listed one by one. */
    public static long reserved(Stock stock) {
        long reserved = stock.getReserved();
        for (int quantity : stock.getReservations().values()) {
            reserved += quantity;
        }
        return reserved;
    }

    public static long available(Stock stock) {
        return stock.getOnHand() - reserved(stock);
    }

    private static StockStep reserve(Stock stock, StockRecord record, InventoryCommand command) {
        if (record != null) {
            InventoryReplyType type = record.getState() == StockRecordState.REJECTED
                    ? InventoryReplyType.REJECTED : InventoryReplyType.RESERVED;
            return new StockStep(stock, record, reply(command, type, record.getReason()), null, false);
        }
        if (stock == null) {
            return reject(stock, command, CancelReason.UNKNOWN_SKU);
        }
        if (available(stock) < command.getQuantity()) {
            return reject(stock, command, CancelReason.OUT_OF_STOCK);
        }
        Stock next = Stock.newBuilder(stock).build();
        next.setReserved(next.getReserved() + command.getQuantity());
        next.setVersion(next.getVersion() + 1);
        StockRecord reserved = new StockRecord(StockRecordState.RESERVED, command.getQuantity(), null, null);
        return new StockStep(next, reserved, reply(command, InventoryReplyType.RESERVED, null), null, true);
    }

    private static StockStep reject(Stock stock, InventoryCommand command, CancelReason reason) {
        StockRecord rejected = new StockRecord(StockRecordState.REJECTED, command.getQuantity(), reason, null);
        return new StockStep(stock, rejected, reply(command, InventoryReplyType.REJECTED, reason), null, true);
    }

    private static StockStep commit(Stock stock, StockRecord record, InventoryCommand command) {
        if (record != null && (record.getState() == StockRecordState.COMMITTED
                || record.getState() == StockRecordState.RESTOCKED)) {
            return new StockStep(stock, record, reply(command, InventoryReplyType.COMMITTED, null), null, false);
        }
        if (stock == null || record == null || record.getState() != StockRecordState.RESERVED) {
            return illegal(stock, record, command, "RESERVED");
        }
        Stock next = Stock.newBuilder(stock).build();
        unreserve(next, command.getOrderId(), record.getQuantity());
        next.setOnHand(next.getOnHand() - record.getQuantity());
        next.setVersion(next.getVersion() + 1);
        StockRecord committed = StockRecord.newBuilder(record).setState(StockRecordState.COMMITTED).build();
        return new StockStep(next, committed, reply(command, InventoryReplyType.COMMITTED, null), null, true);
    }

    private static StockStep release(Stock stock, StockRecord record, InventoryCommand command) {
        if (record != null && (record.getState() == StockRecordState.RELEASED
                || record.getState() == StockRecordState.RESTOCKED)) {
            return new StockStep(stock, record, reply(command, InventoryReplyType.RELEASED, null), null, false);
        }
        if (stock == null || record == null || (record.getState() != StockRecordState.RESERVED
                && record.getState() != StockRecordState.COMMITTED)) {
            return illegal(stock, record, command, "RESERVED or COMMITTED");
        }
        Stock next = Stock.newBuilder(stock).build();
        StockRecordState to;
        if (record.getState() == StockRecordState.RESERVED) {
            unreserve(next, command.getOrderId(), record.getQuantity());
            to = StockRecordState.RELEASED;
        } else {
            next.setOnHand(next.getOnHand() + record.getQuantity());
            to = StockRecordState.RESTOCKED;
        }
        next.setVersion(next.getVersion() + 1);
        StockRecord released = StockRecord.newBuilder(record).setState(to).build();
        return new StockStep(next, released, reply(command, InventoryReplyType.RELEASED, null), null, true);
    }

    /** Ends an order's open reservation: listed one by one (written by an earlier version), or in the total. */
    private static void unreserve(Stock stock, String orderId, int quantity) {
        if (stock.getReservations().remove(orderId) == null) {
            stock.setReserved(stock.getReserved() - quantity);
        }
    }

    private static StockStep illegal(Stock stock, StockRecord record, InventoryCommand command, String needed) {
        return StockStep.rejected(stock, record, Rejection.ILLEGAL_COMMAND, command.getType() + " of sku "
                + command.getSku() + " for order " + command.getOrderId() + " needs state " + needed + ", found "
                + (record == null ? "none" : record.getState()));
    }

    private static InventoryReply reply(InventoryCommand command, InventoryReplyType type, CancelReason reason) {
        return InventoryReply.newBuilder()
                .setEventId(command.getOrderId() + ":" + type.name().toLowerCase() + ":" + command.getSku())
                .setOrderId(command.getOrderId())
                .setSku(command.getSku())
                .setType(type)
                .setQuantity(command.getQuantity())
                .setReason(reason)
                .build();
    }
}
