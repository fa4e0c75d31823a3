package io.orderflow.topology.payment;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import io.orderflow.domain.Ledger;
import io.orderflow.domain.LedgerStep;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.IngressReader;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.ServiceProcessor;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.StorePurger;
import io.orderflow.topology.Topics;
import io.orderflow.topology.tracing.StepTracer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;

/**
 * The payment ledger's adapter: deposits (raw ingress bytes) and saga commands in, keyed by customerId; the
 * rules in {@link Ledger}; replies keyed by orderId and dead letters out.
 */
final class LedgerProcessor extends ServiceProcessor<FundsDeposited, PaymentCommand> {
    private final IngressReader reader;
    private KeyValueStore<String, Account> accounts;
    private KeyValueStore<String, PaymentRecord> records;

    LedgerProcessor(IngressReader reader, OrderflowMetrics metrics, Duration dedupeTtl, Duration recordRetention,
                    Duration retentionScan, StepTracer tracer) {
        super("customerId", Topics.PAYMENT_COMMANDS, StoreNames.PAYMENT_DEDUPE, dedupeTtl, metrics,
                StoreNames.PAYMENT_ORDERS, ENDING, recordRetention, retentionScan, tracer);
        this.reader = reader;
    }

    /** A payment record has ended unless it still holds money (AUTHORIZED); a CAPTURED one may yet be refunded. */
    static final StorePurger.Ending<PaymentRecord> ENDING = StorePurger.ending(
            record -> record.getState() != PaymentRecordState.AUTHORIZED, PaymentRecord::getEndedAt,
            (record, now) -> PaymentRecord.newBuilder(record).setEndedAt(now).build());

    @Override
    protected void initStores(ProcessorContext<String, Object> context) {
        accounts = context.getStateStore(StoreNames.PAYMENT_ACCOUNTS);
        records = context.getStateStore(StoreNames.PAYMENT_ORDERS);
    }

    @Override
    protected FundsDeposited parse(byte[] raw) {
        return reader.fundsDeposited(raw);
    }

    @Override
    protected String idOf(FundsDeposited deposit) {
        return deposit.getCustomerId();
    }

    @Override
    protected String eventIdOf(FundsDeposited deposit) {
        return deposit.getEventId();
    }

    @Override
    protected Rejection apply(FundsDeposited deposit) {
        LedgerStep step = Ledger.deposit(accounts.get(deposit.getCustomerId()), deposit);
        if (step.rejection() == null) {
            accounts.put(deposit.getCustomerId(), step.account());
        }
        return step.rejection();
    }

    @Override
    protected String orderIdOf(PaymentCommand command) {
        return command.getOrderId();
    }

    @Override
    protected String stepOf(PaymentCommand command) {
        return "payment." + command.getType();
    }

    @Override
    protected Outcome execute(PaymentCommand command) {
        String recordKey = StoreNames.orderKey(command.getCustomerId(), command.getOrderId());
        LedgerStep step = Ledger.apply(accounts.get(command.getCustomerId()), records.get(recordKey), command);
        if (step.rejection() == null && step.changed()) {
            if (step.account() != null) {
                accounts.put(command.getCustomerId(), step.account());
            }
            PaymentRecord record = step.record();
            record.setEndedAt(ENDING.ended(record) ? context.currentSystemTimeMs() : null);
            records.put(recordKey, record);
        }
        return new Outcome(command.getOrderId(), step.reply(), step.rejection(), step.changed());
    }
}
