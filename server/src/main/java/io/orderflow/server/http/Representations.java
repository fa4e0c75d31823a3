package io.orderflow.server.http;

import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.StatusEntry;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Inventory;
import io.orderflow.domain.Ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON shapes of the HTTP API (field names are the public contract in DESIGN.md), built from store values. */
final class Representations {
    private Representations() {
    }

    static Map<String, Object> order(OrderView view) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("orderId", view.getOrderId());
        json.put("customerId", view.getCustomerId());
        json.put("status", view.getStatus().name());
        json.put("reason", view.getReason() == null ? null : view.getReason().name());
        List<Map<String, Object>> lines = new ArrayList<>();
        for (OrderLine line : view.getLines()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("sku", line.getSku());
            l.put("quantity", line.getQuantity());
            l.put("unitPrice", line.getUnitPrice());
            lines.add(l);
        }
        json.put("lines", lines);
        json.put("total", view.getTotal());
        json.put("currency", view.getCurrency());
        json.put("version", view.getVersion());
        json.put("placedAt", view.getPlacedAt());
        List<Map<String, Object>> history = new ArrayList<>();
        for (StatusEntry entry : view.getHistory()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("status", entry.getStatus().name());
            h.put("reason", entry.getReason() == null ? null : entry.getReason().name());
            h.put("version", entry.getVersion());
            h.put("at", entry.getAt());
            history.add(h);
        }
        json.put("history", history);
        return json;
    }

    static Map<String, Object> customer(CustomerOrders summary) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("customerId", summary.getCustomerId());
        json.put("countsByStatus", new TreeMap<>(summary.getCountsByStatus()));
        json.put("recentOrderIds", summary.getRecentOrderIds());
        json.put("spent", new TreeMap<>(summary.getSpent()));
        return json;
    }

    static Map<String, Object> stock(Stock stock) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sku", stock.getSku());
        json.put("onHand", stock.getOnHand());
        json.put("reserved", Inventory.reserved(stock));
        json.put("available", Inventory.available(stock));
        json.put("version", stock.getVersion());
        return json;
    }

    static Map<String, Object> account(Account account) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("customerId", account.getCustomerId());
        json.put("balance", account.getBalance());
        json.put("held", Ledger.held(account));
        json.put("available", Ledger.available(account));
        json.put("currency", account.getCurrency());
        json.put("version", account.getVersion());
        return json;
    }
}
