package io.orderflow.devtools.demo;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The demo's data, chosen so that most orders confirm and the others are cancelled for different reasons:
 * rich customers and plentiful skus confirm; bob cannot pay (INSUFFICIENT_FUNDS), carol's account is in USD
 * (CURRENCY_MISMATCH), dave has no account (UNKNOWN_ACCOUNT), truffles run out (OUT_OF_STOCK), unicorns were
 * never stocked (UNKNOWN_SKU), and some customers change their mind (CUSTOMER). Orders 2 to 7 are one of each of
 * those, so that even a short run shows every reason; the rest are drawn from a seeded random, so runs are
 * repeatable.
 */
public final class DemoScenario {
    public static final List<String> RICH = List.of("alice", "erin", "frank");

    private final String runId;
    private final Random random;

    public DemoScenario(String runId, long seed) {
        this.runId = runId;
        this.random = new Random(seed);
    }

    public List<StockAdjusted> stock() {
        return List.of(
                adjustment("apple", 100_000),
                adjustment("pear", 100_000),
                adjustment("plum", 100_000),
                adjustment("truffle", 3));
    }

    public List<FundsDeposited> funds() {
        List<FundsDeposited> deposits = new ArrayList<>();
        for (String customer : RICH) {
            deposits.add(new FundsDeposited(runId + "-d-" + customer, customer, 100_000_000L, "EUR"));
        }
        deposits.add(new FundsDeposited(runId + "-d-bob", "bob", 2_000L, "EUR"));
        deposits.add(new FundsDeposited(runId + "-d-carol", "carol", 50_000L, "USD"));
        return deposits;
    }

    /** Order {@code i}: a placement, sometimes followed by a cancellation (see {@link #cancels(int)}). */
    public OrderEvent order(int i) {
        String orderId = orderId(i);
        OrderPlaced scripted = switch (i) {
            case 2 -> new OrderPlaced("bob", "EUR", lines(new OrderLine("apple", 20, 120L)), null);      // 24.00 > 20.00
            case 3 -> new OrderPlaced("carol", "EUR", lines(new OrderLine("pear", 1, 95L)), null);       // account in USD
            case 4 -> new OrderPlaced("dave", "EUR", lines(new OrderLine("plum", 1, 150L)), null);       // no account
            case 5 -> new OrderPlaced("erin", "EUR", lines(new OrderLine("truffle", 4, 2_500L)), null); // 3 in stock
            case 6 -> new OrderPlaced("frank", "EUR", lines(new OrderLine("unicorn", 1, 99_900L)), null);
            default -> null; // 7 is cancelled by its customer (cancels)
        };
        if (scripted != null) {
            return new OrderEvent(runId + "-e-" + i, orderId, scripted);
        }
        int roll = random.nextInt(100);
        String customer;
        if (roll < 8) {
            customer = "bob";
        } else if (roll < 13) {
            customer = "carol";
        } else if (roll < 17) {
            customer = "dave";
        } else {
            customer = RICH.get(random.nextInt(RICH.size()));
        }
        List<OrderLine> lines = new ArrayList<>();
        String[] plain = {"apple", "pear", "plum"};
        long[] prices = {120, 95, 150};
        int count = 1 + random.nextInt(3);
        int first = random.nextInt(plain.length);
        for (int l = 0; l < count; l++) {
            int k = (first + l) % plain.length;
            lines.add(new OrderLine(plain[k], 1 + random.nextInt(5), prices[k]));
        }
        int special = random.nextInt(100);
        if (special < 5) {
            lines.add(new OrderLine("truffle", 1, 2_500L));
        } else if (special < 8) {
            lines.add(new OrderLine("unicorn", 1, 99_900L));
        }
        return new OrderEvent(runId + "-e-" + i, orderId, new OrderPlaced(customer, "EUR", lines, null));
    }

    private static List<OrderLine> lines(OrderLine line) {
        return new ArrayList<>(List.of(line));
    }

    /** Every 15th order is cancelled by its customer right after it was placed. */
    public boolean cancels(int i) {
        return i % 15 == 7;
    }

    public OrderEvent cancel(int i) {
        return new OrderEvent(runId + "-c-" + i, orderId(i), new OrderCancelRequested());
    }

    public String orderId(int i) {
        return "o-" + runId + "-" + i;
    }

    private StockAdjusted adjustment(String sku, int quantity) {
        return new StockAdjusted(runId + "-a-" + sku, sku, quantity, "demo restock", null);
    }
}
