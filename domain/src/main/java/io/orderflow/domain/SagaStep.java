package io.orderflow.domain;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.state.SagaState;

import java.util.List;

/**
 * What one input did to a saga: the state to store (the same instance as before when nothing changed), the
 * commands to send and the status changes to publish. Emitting all three in one Kafka transaction is what makes
 * the saga exactly-once.
 */
public record SagaStep(
        SagaState state,
        boolean changed,
        List<PaymentCommand> paymentCommands,
        List<InventoryCommand> inventoryCommands,
        List<OrderStatusChanged> statusChanges) {

    public static SagaStep unchanged(SagaState state) {
        return new SagaStep(state, false, List.of(), List.of(), List.of());
    }
}
