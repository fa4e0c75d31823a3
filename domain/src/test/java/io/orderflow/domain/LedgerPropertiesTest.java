package io.orderflow.domain;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.util.List;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** Any sequence of deposits, saga commands and replays keeps the ledger's books straight. */
class LedgerPropertiesTest {
    sealed interface Op permits Deposit, Command, Replay {
    }

    record Deposit(long amount, String currency) implements Op {
    }

    record Command(int order, PaymentCommandType type, long amount, String currency) implements Op {
        PaymentCommand toCommand() {
            return PaymentCommand.newBuilder()
                    .setEventId("o" + order + ":" + type.name().toLowerCase())
                    .setOrderId("o" + order)
                    .setCustomerId(CUSTOMER)
                    .setType(type)
                    .setAmount(amount)
                    .setCurrency(currency)
                    .build();
        }
    }

    /** Re-applies the {@code index mod n}-th command that was accepted so far. */
    record Replay(int index) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<String> currency = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("EUR")), Tuple.of(1, Arbitraries.just("USD")),
                Tuple.of(1, Arbitraries.just("EURO")));
        Arbitrary<Op> deposit = Combinators.combine(Arbitraries.longs().between(-5, 2_000), currency)
                .as(Deposit::new);
        Arbitrary<PaymentCommandType> type = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(PaymentCommandType.AUTHORIZE)),
                Tuple.of(2, Arbitraries.just(PaymentCommandType.CAPTURE)),
                Tuple.of(1, Arbitraries.just(PaymentCommandType.VOID)),
                Tuple.of(2, Arbitraries.just(PaymentCommandType.REFUND)));
        Arbitrary<Op> command = Combinators.combine(
                Arbitraries.integers().between(0, 3),
                type,
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.longs().between(-5, -1)),
                        Tuple.of(15, Arbitraries.longs().between(0, 1_500))),
                currency).as(Command::new);
        Arbitrary<Op> replay = Arbitraries.integers().between(0, 1_000).map(Replay::new);
        return Arbitraries.frequencyOf(Tuple.of(3, deposit), Tuple.of(8, command), Tuple.of(3, replay))
                .list().ofMaxSize(60);
    }

    @Property(tries = 1000)
    void shouldKeepBalancesConsistentAndCommandsIdempotentWhateverTheSequence(
            @ForAll("operations") List<Op> operations) {
        // Given
        Books books = new Books();

        // When / Then: every invariant holds after every step
        for (Op op : operations) {
            if (op instanceof Deposit d) {
                books.deposit(d);
            } else if (op instanceof Command c) {
                books.apply(c.toCommand());
            } else if (op instanceof Replay r) {
                books.replay(r.index());
            }
            books.assertInvariants();
        }
        Statistics.label("effects").coverage(c -> {
            for (String effect : List.of("AUTHORIZED", "INSUFFICIENT_FUNDS", "UNKNOWN_ACCOUNT", "CURRENCY_MISMATCH",
                    "CAPTURED", "VOIDED", "REFUNDED", "replay", "deposited", "INVALID", "ILLEGAL_COMMAND")) {
                c.check(effect).count(n -> n > 0);
            }
        });
    }

    /** The account under test plus an independent reckoning of what it should hold. */
    private static final class Books extends ServiceModel<Account, PaymentRecord, PaymentCommand, PaymentReply> {
        private long deposited;
        private long captured;
        private long refunded;

        Books() {
            super(DomainFixtures::snapshot);
        }

        void deposit(Deposit op) {
            Account before = state;
            Account copy = snapshot(before);
            LedgerStep step = Ledger.deposit(before, new FundsDeposited("d", CUSTOMER, op.amount(), op.currency()));
            assertThat(before).isEqualTo(copy);
            assertThat(step.reply()).isNull();
            assertThat(step.record()).isNull();
            boolean acceptable = op.amount() > 0 && !op.currency().equals("EURO")
                    && (before == null || before.getCurrency().equals(op.currency()));
            if (acceptable) {
                assertThat(step.rejection()).isNull();
                assertThat(step.changed()).isTrue();
                deposited += op.amount();
                changes++;
                state = step.account();
                effect("deposited");
            } else {
                effect(step.rejection().code());
                assertThat(step.rejection()).isNotNull();
                assertThat(step.changed()).isFalse();
                assertThat(step.account()).isSameAs(before);
            }
        }

        @Override
        protected Step<Account, PaymentRecord, PaymentReply> rule(Account account, PaymentRecord record,
                                                                  PaymentCommand command) {
            LedgerStep step = Ledger.apply(account, record, command);
            return new Step<>(step.account(), step.record(), step.reply(), step.rejection(), step.changed());
        }

        @Override
        protected String orderIdOf(PaymentCommand command) {
            return command.getOrderId();
        }

        @Override
        protected long versionOf(Account account) {
            return account.getVersion();
        }

        @Override
        protected String effectOf(PaymentRecord record) {
            return record.getReason() != null ? record.getReason().name() : record.getState().name();
        }

        @Override
        protected void checkReply(PaymentCommand command, PaymentReply reply) {
            assertThat(reply.getOrderId()).isEqualTo(command.getOrderId());
            assertThat(reply.getCustomerId()).isEqualTo(command.getCustomerId());
            assertThat(reply.getAmount()).isEqualTo(command.getAmount());
            assertThat(reply.getType()).isIn(expectedReplies(command.getType()));
            assertThat(reply.getReason() != null).isEqualTo(reply.getType() == PaymentReplyType.DECLINED);
        }

        @Override
        protected void book(PaymentCommand command, PaymentRecord before) {
            if (command.getType() == PaymentCommandType.CAPTURE) {
                captured += before.getAmount();
            } else if (command.getType() == PaymentCommandType.REFUND) {
                refunded += before.getAmount();
            }
        }

        private static List<PaymentReplyType> expectedReplies(PaymentCommandType type) {
            return switch (type) {
                case AUTHORIZE -> List.of(PaymentReplyType.AUTHORIZED, PaymentReplyType.DECLINED);
                case CAPTURE -> List.of(PaymentReplyType.CAPTURED);
                case VOID -> List.of(PaymentReplyType.VOIDED);
                case REFUND -> List.of(PaymentReplyType.REFUNDED);
            };
        }

        void assertInvariants() {
            Account account = state;
            if (account == null) {
                assertThat(deposited).isZero();
                assertThat(records.values()).allMatch(r -> r.getState() == PaymentRecordState.DECLINED);
                return;
            }
            assertThat(account.getBalance()).as("balance").isGreaterThanOrEqualTo(0L);
            assertThat(account.getHolds()).as("holds live in the total and the records alone").isEmpty();
            assertThat(Ledger.held(account)).isEqualTo(account.getBalance() - Ledger.available(account));
            assertThat(Ledger.available(account)).as("available").isGreaterThanOrEqualTo(0L);
            assertThat(account.getBalance()).as("balance = deposits - captured + refunded")
                    .isEqualTo(deposited - captured + refunded);
            assertThat(account.getVersion()).isEqualTo(changes);
            long expectedHeld = records.values().stream()
                    .filter(record -> record.getState() == PaymentRecordState.AUTHORIZED)
                    .mapToLong(PaymentRecord::getAmount).sum();
            assertThat(Ledger.held(account)).as("held = the amounts of the orders whose record is AUTHORIZED")
                    .isEqualTo(expectedHeld);
        }
    }
}
