package io.orderflow.domain;

import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;

/**
 * What one command or adjustment did to a sku's stock: the stock and per-order record to store (unchanged
 * instances when nothing changed), the reply (none for adjustments), or the rejection.
 */
public record StockStep(Stock stock, StockRecord record, InventoryReply reply, Rejection rejection, boolean changed) {

    static StockStep rejected(Stock stock, StockRecord record, String code, String message) {
        return new StockStep(stock, record, null, new Rejection(code, message), false);
    }
}
