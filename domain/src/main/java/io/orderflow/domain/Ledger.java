package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;

import java.util.HashMap;

/**
 * The payment ledger's rules. An account holds a balance and the total held for open authorisations; authorising
 * holds money if {@code balance − held ≥ amount}, capture turns the hold into a debit, void drops it, refund
 * credits a captured amount back. The balance never goes negative.
 *
 * <p>Every command is idempotent per (orderId, command): the per-order {@link PaymentRecord} remembers what was
 * done, so a replayed command replies exactly as the first time and changes nothing. That record is also the only
 * place an order's hold is kept: {@link Account} holds the total, so a command costs the same however many orders
 * hold money on the account. Holds written before the total existed are still listed in
 * {@link Account#getHolds()}; they count, and leave that map when captured or voided.
 */
public final class Ledger {
    /**
     * The most an account may hold, in minor units (10^15: ten trillion euros). Far above any real balance, and
     * far enough below {@code Long.MAX_VALUE} that refunds of earlier captures can never overflow.
     */
    public static final long MAX_BALANCE = 1_000_000_000_000_000L;

    private Ledger() {
    }

    public static LedgerStep deposit(Account account, FundsDeposited deposit) {
        String customer = Ids.problem("customerId", deposit.getCustomerId());
        if (customer != null) {
            return LedgerStep.rejected(account, null, Rejection.INVALID, customer);
        }
        if (deposit.getAmount() <= 0) {
            return LedgerStep.rejected(account, null, Rejection.INVALID,
                    "amount must be > 0 minor units, was " + deposit.getAmount());
        }
        String currency = OrderValidation.currencyProblem(deposit.getCurrency());
        if (currency != null) {
            return LedgerStep.rejected(account, null, Rejection.INVALID, currency);
        }
        if (account != null && !account.getCurrency().equals(deposit.getCurrency())) {
            return LedgerStep.rejected(account, null, Rejection.CURRENCY_MISMATCH, "account " + account.getCustomerId()
                    + " is in " + account.getCurrency() + ", deposit is in " + deposit.getCurrency());
        }
        Account next = account == null
                ? new Account(deposit.getCustomerId(), deposit.getCurrency(), 0L, new HashMap<>(), 0L, 0L)
                : Account.newBuilder(account).build();
        if (deposit.getAmount() > MAX_BALANCE - next.getBalance()) {
            return LedgerStep.rejected(account, null, Rejection.INVALID, "balance would exceed the maximum of "
                    + MAX_BALANCE + " minor units");
        }
        next.setBalance(next.getBalance() + deposit.getAmount());
        next.setVersion(next.getVersion() + 1);
        return new LedgerStep(next, null, null, null, true);
    }

    /** Applies a saga command; {@code record} is what was done for this order before, or null. */
    public static LedgerStep apply(Account account, PaymentRecord record, PaymentCommand command) {
        return switch (command.getType()) {
            case AUTHORIZE -> authorize(account, record, command);
            case CAPTURE -> settle(account, record, command, PaymentRecordState.AUTHORIZED,
                    PaymentRecordState.CAPTURED, PaymentReplyType.CAPTURED);
            case VOID -> settle(account, record, command, PaymentRecordState.AUTHORIZED,
                    PaymentRecordState.VOIDED, PaymentReplyType.VOIDED);
            case REFUND -> settle(account, record, command, PaymentRecordState.CAPTURED,
                    PaymentRecordState.REFUNDED, PaymentReplyType.REFUNDED);
        };
    }

    /** Available funds: balance minus every hold. */
    public static long available(Account account) {
        return account.getBalance() - held(account);
    }

    /** The amount held by open authorisations: the total, plus any still listed one by one. */
    public static long held(Account account) {
        long held = account.getHeld();
        for (long amount : account.getHolds().values()) {
            held += amount;
        }
        return held;
    }

    private static LedgerStep authorize(Account account, PaymentRecord record, PaymentCommand command) {
        if (record != null) {
            // Replay: answer as the first time.
            PaymentReplyType type = record.getState() == PaymentRecordState.DECLINED
                    ? PaymentReplyType.DECLINED : PaymentReplyType.AUTHORIZED;
            return new LedgerStep(account, record, reply(command, type, record.getReason()), null, false);
        }
        if (command.getAmount() < 0) {
            return LedgerStep.rejected(account, null, Rejection.INVALID,
                    "authorize amount must be >= 0, was " + command.getAmount());
        }
        if (account == null) {
            return decline(account, command, CancelReason.UNKNOWN_ACCOUNT);
        }
        if (!account.getCurrency().equals(command.getCurrency())) {
            return decline(account, command, CancelReason.CURRENCY_MISMATCH);
        }
        if (available(account) < command.getAmount()) {
            return decline(account, command, CancelReason.INSUFFICIENT_FUNDS);
        }
        Account next = Account.newBuilder(account).build();
        next.setHeld(next.getHeld() + command.getAmount());
        next.setVersion(next.getVersion() + 1);
        PaymentRecord held = new PaymentRecord(PaymentRecordState.AUTHORIZED, command.getAmount(),
                command.getCurrency(), null, null);
        return new LedgerStep(next, held, reply(command, PaymentReplyType.AUTHORIZED, null), null, true);
    }

    private static LedgerStep decline(Account account, PaymentCommand command, CancelReason reason) {
        PaymentRecord declined = new PaymentRecord(PaymentRecordState.DECLINED, command.getAmount(),
                command.getCurrency(), reason, null);
        return new LedgerStep(account, declined, reply(command, PaymentReplyType.DECLINED, reason), null, true);
    }

    /** Capture, void and refund: one state {@code from} → {@code to}; being in {@code to} already is a replay. */
    private static LedgerStep settle(Account account, PaymentRecord record, PaymentCommand command,
                                     PaymentRecordState from, PaymentRecordState to, PaymentReplyType replyType) {
        if (record != null && (record.getState() == to
                || (to == PaymentRecordState.CAPTURED && record.getState() == PaymentRecordState.REFUNDED))) {
            return new LedgerStep(account, record, reply(command, replyType, null), null, false);
        }
        if (account == null || record == null || record.getState() != from) {
            return LedgerStep.rejected(account, record, Rejection.ILLEGAL_COMMAND, command.getType() + " for order "
                    + command.getOrderId() + " needs payment state " + from + ", found "
                    + (record == null ? "none" : record.getState()));
        }
        Account next = Account.newBuilder(account).build();
        long amount = record.getAmount();
        switch (to) {
            case CAPTURED -> {
                release(next, command.getOrderId(), amount);
                next.setBalance(next.getBalance() - amount);
            }
            case VOIDED -> release(next, command.getOrderId(), amount);
            case REFUNDED -> {
                try {
                    next.setBalance(Math.addExact(next.getBalance(), amount));
                } catch (ArithmeticException overflow) {
                    // Unreachable through deposits (MAX_BALANCE), but a balance must never wrap negative.
                    return LedgerStep.rejected(account, record, Rejection.INVALID, "balance would overflow");
                }
            }
            default -> throw new IllegalStateException("not a settlement: " + to);
        }
        next.setVersion(next.getVersion() + 1);
        PaymentRecord settled = PaymentRecord.newBuilder(record).setState(to).build();
        return new LedgerStep(next, settled, reply(command, replyType, null), null, true);
    }

    /** Ends an order's open hold: listed one by one (written by an earlier version), or in the total. */
    private static void release(Account account, String orderId, long amount) {
        if (account.getHolds().remove(orderId) == null) {
            account.setHeld(account.getHeld() - amount);
        }
    }

    private static PaymentReply reply(PaymentCommand command, PaymentReplyType type, CancelReason reason) {
        return PaymentReply.newBuilder()
                .setEventId(command.getOrderId() + ":" + type.name().toLowerCase())
                .setOrderId(command.getOrderId())
                .setCustomerId(command.getCustomerId())
                .setType(type)
                .setAmount(command.getAmount())
                .setCurrency(command.getCurrency())
                .setReason(reason)
                .build();
    }
}
