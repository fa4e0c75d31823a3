package io.orderflow.topology.payment;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.domain.Ids;
import io.orderflow.domain.Ledger;
import io.orderflow.domain.LedgerStep;
import io.orderflow.domain.Rejection;
import io.orderflow.serde.IngressReader;
import io.orderflow.serde.InvalidRecordException;
import io.orderflow.topology.EventDeduplicator;
import io.orderflow.topology.OrderflowMetrics;
import io.orderflow.topology.StoreNames;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The payment ledger's adapter: deposits (raw ingress bytes) and saga commands in, keyed by customerId; the
 * rules in {@link Ledger}; replies keyed by orderId and dead letters out.
 */
final class LedgerProcessor implements Processor<String, Object, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(LedgerProcessor.class);

    private final IngressReader reader;
    private final OrderflowMetrics metrics;
    private final Duration dedupeTtl;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Account> accounts;
    private KeyValueStore<String, PaymentRecord> records;
    private EventDeduplicator dedupe;

    LedgerProcessor(IngressReader reader, OrderflowMetrics metrics, Duration dedupeTtl) {
        this.reader = reader;
        this.metrics = metrics;
        this.dedupeTtl = dedupeTtl;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.accounts = context.getStateStore(StoreNames.PAYMENT_ACCOUNTS);
        this.records = context.getStateStore(StoreNames.PAYMENT_ORDERS);
        WindowStore<String, Long> seen = context.getStateStore(StoreNames.PAYMENT_DEDUPE);
        this.dedupe = new EventDeduplicator(seen, dedupeTtl);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.value() instanceof byte[] raw) {
            onDeposit(record, raw);
        } else if (record.value() instanceof PaymentCommand command) {
            onCommand(record, command);
        } else {
            throw new IllegalArgumentException("ledger cannot handle " + record.value());
        }
    }

    private void onDeposit(Record<String, Object> record, byte[] raw) {
        DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
        FundsDeposited deposit;
        try {
            deposit = reader.fundsDeposited(raw);
        } catch (InvalidRecordException e) {
            deadLetter(record, source, raw, Rejection.UNREADABLE, e.getMessage());
            return;
        }
        String problem = Ids.problem("customerId", deposit.getCustomerId());
        if (problem == null && !deposit.getCustomerId().equals(record.key())) {
            problem = "record key '" + record.key() + "' does not match customerId '" + deposit.getCustomerId() + "'";
        }
        if (problem == null && deposit.getEventId() != null) {
            problem = Ids.problem("eventId", deposit.getEventId());
        }
        if (problem != null) {
            deadLetter(record, source, raw, Rejection.INVALID, problem);
            return;
        }
        if (deposit.getEventId() != null && !dedupe.firstTime(deposit.getEventId(), record.timestamp())) {
            metrics.duplicate(source.topic());
            return;
        }
        LedgerStep step = Ledger.deposit(accounts.get(deposit.getCustomerId()), deposit);
        if (step.rejection() != null) {
            deadLetter(record, source, raw, step.rejection().code(), step.rejection().message());
            return;
        }
        accounts.put(deposit.getCustomerId(), step.account());
    }

    private void onCommand(Record<String, Object> record, PaymentCommand command) {
        String recordKey = StoreNames.orderKey(command.getCustomerId(), command.getOrderId());
        LedgerStep step = Ledger.apply(accounts.get(command.getCustomerId()), records.get(recordKey), command);
        if (step.rejection() != null) {
            DeadLetters.Source source = DeadLetters.sourceOf(context, record.headers());
            deadLetter(record, source, command.toString().getBytes(StandardCharsets.UTF_8), step.rejection().code(),
                    step.rejection().message());
            return;
        }
        if (step.changed()) {
            if (step.account() != null) {
                accounts.put(command.getCustomerId(), step.account());
            }
            records.put(recordKey, step.record());
        } else {
            metrics.duplicate(Topics.PAYMENT_COMMANDS.name());
        }
        context.forward(new Record<>(command.getOrderId(), step.reply(), record.timestamp()));
    }

    private void deadLetter(Record<String, Object> record, DeadLetters.Source source, byte[] raw, String reason,
                            String message) {
        log.warn("Payment input {} sent to {}: {} {}", source.identity(), Topics.DEAD_LETTERS, reason, message);
        metrics.deadLettered(source.topic(), reason);
        context.forward(DeadLetters.letter(record, source, raw, reason, message));
    }
}
