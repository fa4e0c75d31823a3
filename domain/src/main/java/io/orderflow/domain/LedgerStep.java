package io.orderflow.domain;

import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;

/**
 * What one command or deposit did to an account: the account and per-order record to store (unchanged
 * instances when nothing changed), the reply to send (none for deposits), or the rejection.
 */
public record LedgerStep(Account account, PaymentRecord record, PaymentReply reply, Rejection rejection,
                         boolean changed) {

    static LedgerStep rejected(Account account, PaymentRecord record, String code, String message) {
        return new LedgerStep(account, record, null, new Rejection(code, message), false);
    }
}
