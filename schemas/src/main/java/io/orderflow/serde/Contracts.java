package io.orderflow.serde;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.SagaState;
import io.orderflow.contracts.state.SagaTimeline;
import io.orderflow.contracts.state.StatusWindow;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The list of every top-level Avro schema Orderflow writes: the value schema of each topic and
 * the value schema of each state store. The local schema registry pre-registers these, and the
 * compatibility check proves each one can still read its released versions.
 */
public final class Contracts {

    /** Value schema of each topic, one entry per topic. */
    public static final List<Schema> TOPIC_SCHEMAS = List.of(
            OrderEvent.getClassSchema(),
            StockAdjusted.getClassSchema(),
            FundsDeposited.getClassSchema(),
            PaymentCommand.getClassSchema(),
            PaymentReply.getClassSchema(),
            InventoryCommand.getClassSchema(),
            InventoryReply.getClassSchema(),
            OrderStatusChanged.getClassSchema());

    /** Value schema of each state store. */
    public static final List<Schema> STATE_SCHEMAS = List.of(
            SagaState.getClassSchema(),
            Account.getClassSchema(),
            PaymentRecord.getClassSchema(),
            Stock.getClassSchema(),
            StockRecord.getClassSchema(),
            OrderView.getClassSchema(),
            SagaTimeline.getClassSchema(),
            CustomerOrders.getClassSchema(),
            StatusWindow.getClassSchema());

    /** {@link #TOPIC_SCHEMAS} followed by {@link #STATE_SCHEMAS}. */
    public static final List<Schema> ALL =
            Stream.concat(TOPIC_SCHEMAS.stream(), STATE_SCHEMAS.stream()).toList();

    private Contracts() {
    }
}
