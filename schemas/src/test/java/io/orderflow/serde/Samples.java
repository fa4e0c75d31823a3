package io.orderflow.serde;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
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
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import io.orderflow.contracts.state.PaymentStep;
import io.orderflow.contracts.state.SagaLine;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.StatusEntry;
import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every contract, for round-trip tests. */
final class Samples {

    static final OrderLine LINE = new OrderLine("s1", 2, 1250L);

    static OrderEvent orderPlaced() {
        return new OrderEvent("e1", "o1", new OrderPlaced("c1", "EUR", List.of(LINE), null));
    }

    static OrderEvent orderCancelRequested() {
        return new OrderEvent("e2", "o1", new OrderCancelRequested());
    }

    static StockAdjusted stockAdjusted() {
        return new StockAdjusted("a1", "s1", 100, "restock", 3L);
    }

    static FundsDeposited fundsDeposited() {
        return new FundsDeposited("d1", "c1", 100_000L, "EUR");
    }

    /** Every topic contract and every store contract, each once. */
    static List<SpecificRecord> everyContract() {
        return List.of(
                orderPlaced(),
                stockAdjusted(),
                fundsDeposited(),
                new PaymentCommand("o1:authorize", "o1", "c1", PaymentCommandType.AUTHORIZE, 2500L, "EUR"),
                new PaymentReply("o1:declined", "o1", "c1", PaymentReplyType.DECLINED, 2500L, "EUR",
                        CancelReason.INSUFFICIENT_FUNDS),
                new InventoryCommand("o1:reserve:s1", "o1", "s1", InventoryCommandType.RESERVE, 2),
                new InventoryReply("o1:reserved:s1", "o1", "s1", InventoryReplyType.RESERVED, 2, null),
                new OrderStatusChanged("o1:v2", "o1", "c1", OrderStatus.CANCELLED, OrderStatus.COMPENSATING,
                        CancelReason.TIMEOUT, 2, 2500L, "EUR", List.of(LINE), 1_000L, 2_000L, null),
                new SagaState("o1", "c1", "EUR", 2500L, OrderStatus.AWAITING, null, 1, 1_000L, 31_000L,
                        PaymentStep.AUTHORIZING, List.of(new SagaLine(LINE, LineStep.RESERVING)), null, null),
                new Account("c1", "EUR", 100_000L, Map.of("o1", 2500L), 4L, 1200L),
                new PaymentRecord(PaymentRecordState.AUTHORIZED, 2500L, "EUR", null, null),
                new Stock("s1", 100L, Map.of("o1", 2), 7L, 5L),
                new StockRecord(StockRecordState.REJECTED, 2, CancelReason.OUT_OF_STOCK, 1_764_000_000_000L),
                new OrderView("o1", "c1", OrderStatus.CONFIRMED, null, List.of(LINE), 2500L, "EUR", 3, 1_000L,
                        List.of(new StatusEntry(OrderStatus.PLACED, null, 1, 1_000L),
                                new StatusEntry(OrderStatus.CONFIRMED, null, 3, 1_500L)), null),
                new CustomerOrders("c1", Map.of("CONFIRMED", 1L), List.of("o1"), Map.of("EUR", 2500L)),
                new StatusWindow(3L, Map.of("EUR", 7500L)));
    }

    private Samples() {
    }
}
