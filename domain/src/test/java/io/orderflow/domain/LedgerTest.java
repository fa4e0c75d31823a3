package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.PaymentRecord;
import io.orderflow.contracts.state.PaymentRecordState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.stream.Stream;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.EUR;
import static io.orderflow.domain.DomainFixtures.account;
import static io.orderflow.domain.DomainFixtures.deposit;
import static io.orderflow.domain.DomainFixtures.legacyAccount;
import static io.orderflow.domain.DomainFixtures.paymentCommand;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class LedgerTest {
    private static PaymentCommand authorize(String orderId, long amount) {
        return paymentCommand(orderId, PaymentCommandType.AUTHORIZE, amount);
    }

    private static PaymentCommand command(String orderId, PaymentCommandType type) {
        return paymentCommand(orderId, type, 600);
    }

    private static PaymentRecord record(PaymentRecordState state, long amount) {
        return new PaymentRecord(state, amount, EUR, null, null);
    }

    private static void assertRefusedWithoutEffect(LedgerStep step, Account account, PaymentRecord record,
                                                   String code) {
        assertThat(step.rejection()).isNotNull();
        assertThat(step.rejection().code()).isEqualTo(code);
        assertThat(step.rejection().message()).isNotBlank();
        assertThat(step.changed()).isFalse();
        assertThat(step.reply()).isNull();
        assertThat(step.account()).isSameAs(account);
        assertThat(step.record()).isSameAs(record);
    }

    @Nested
    class Deposits {
        @Test
        void shouldOpenAnAccountWhenTheFirstDepositArrives() {
            // Given / When
            LedgerStep step = Ledger.deposit(null, deposit(10_000));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.rejection()).isNull();
            assertThat(step.reply()).isNull();
            assertThat(step.record()).isNull();
            Account opened = step.account();
            assertThat(opened.getCustomerId()).isEqualTo(CUSTOMER);
            assertThat(opened.getCurrency()).isEqualTo(EUR);
            assertThat(opened.getBalance()).isEqualTo(10_000L);
            assertThat(opened.getHolds()).isEmpty();
            assertThat(opened.getHeld()).isZero();
            assertThat(opened.getVersion()).isEqualTo(1L);
        }

        @Test
        void shouldAddToTheBalanceWithoutTouchingTheInputWhenTheAccountExists() {
            // Given
            Account account = account(1_000, Map.of("o9", 300L));
            Account before = snapshot(account);

            // When
            LedgerStep step = Ledger.deposit(account, deposit(250));

            // Then
            assertThat(step.account().getBalance()).isEqualTo(1_250L);
            assertThat(Ledger.held(step.account())).isEqualTo(300L);
            assertThat(step.account().getVersion()).isEqualTo(2L);
            assertThat(account).isEqualTo(before);
        }

        @ParameterizedTest
        @ValueSource(longs = {0, -1, Long.MIN_VALUE})
        void shouldRejectTheDepositWhenTheAmountIsNotPositive(long amount) {
            // Given
            Account account = account(1_000, Map.of());

            // When
            LedgerStep step = Ledger.deposit(account, deposit(amount));

            // Then
            assertRefusedWithoutEffect(step, account, null, Rejection.INVALID);
            assertThat(step.rejection().message()).contains("amount");
        }

        @ParameterizedTest
        @ValueSource(strings = {"EURO", "eu", "", "ZZZ", "eur"})
        void shouldRejectTheDepositWhenTheCurrencyIsNotAnIsoCode(String currency) {
            // Given / When
            LedgerStep step = Ledger.deposit(null, deposit(CUSTOMER, 100, currency));

            // Then
            assertRefusedWithoutEffect(step, null, null, Rejection.INVALID);
            assertThat(step.rejection().message()).contains("currency");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "c 1", "c/1"})
        void shouldRejectTheDepositWhenTheCustomerIdIsInvalid(String customerId) {
            // Given / When
            LedgerStep step = Ledger.deposit(null, deposit(customerId, 100, EUR));

            // Then
            assertRefusedWithoutEffect(step, null, null, Rejection.INVALID);
            assertThat(step.rejection().message()).contains("customerId");
        }

        @Test
        void shouldRejectTheDepositWhenItsCurrencyDiffersFromTheAccount() {
            // Given
            Account account = account(1_000, Map.of());

            // When
            LedgerStep step = Ledger.deposit(account, deposit(CUSTOMER, 100, "USD"));

            // Then
            assertRefusedWithoutEffect(step, account, null, Rejection.CURRENCY_MISMATCH);
            assertThat(step.rejection().message()).contains("EUR").contains("USD");
        }

        @Test
        void shouldRejectTheDepositWhenTheBalanceWouldExceedTheMaximum() {
            // Given
            Account account = account(Ledger.MAX_BALANCE - 10, Map.of());

            // When
            LedgerStep step = Ledger.deposit(account, deposit(11));

            // Then
            assertRefusedWithoutEffect(step, account, null, Rejection.INVALID);
            assertThat(step.rejection().message()).contains("maximum");
        }

        @Test
        void shouldAcceptTheDepositWhenTheBalanceReachesExactlyTheMaximum() {
            // Given
            Account account = account(Ledger.MAX_BALANCE - 10, Map.of());

            // When
            LedgerStep step = Ledger.deposit(account, deposit(10));

            // Then
            assertThat(step.rejection()).isNull();
            assertThat(step.account().getBalance()).isEqualTo(Ledger.MAX_BALANCE);
        }
    }

    @Nested
    class Authorize {
        @Test
        void shouldHoldTheAmountWhenFundsSuffice() {
            // Given
            Account account = account(1_000, Map.of());
            Account before = snapshot(account);

            // When
            LedgerStep step = Ledger.apply(account, null, authorize("o1", 600));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.rejection()).isNull();
            assertThat(step.account().getHeld()).isEqualTo(600L);
            assertThat(step.account().getHolds()).as("the order's hold lives in its PaymentRecord alone").isEmpty();
            assertThat(step.account().getBalance()).isEqualTo(1_000L);
            assertThat(step.account().getVersion()).isEqualTo(2L);
            assertThat(Ledger.held(step.account())).isEqualTo(600L);
            assertThat(Ledger.available(step.account())).isEqualTo(400L);
            assertThat(step.record()).isEqualTo(record(PaymentRecordState.AUTHORIZED, 600));
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.AUTHORIZED);
            assertThat(step.reply().getEventId()).isEqualTo("o1:authorized");
            assertThat(step.reply().getOrderId()).isEqualTo("o1");
            assertThat(step.reply().getCustomerId()).isEqualTo(CUSTOMER);
            assertThat(step.reply().getAmount()).isEqualTo(600L);
            assertThat(step.reply().getCurrency()).isEqualTo(EUR);
            assertThat(step.reply().getReason()).isNull();
            assertThat(account).isEqualTo(before);
        }

        @Test
        void shouldHoldExactlyWhatIsAvailableWhenOtherHoldsExist() {
            // Given: 1000 with 600 already held
            Account account = account(1_000, Map.of("o1", 600L));

            // When
            LedgerStep step = Ledger.apply(account, null, authorize("o2", 400));

            // Then
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.AUTHORIZED);
            assertThat(Ledger.available(step.account())).isZero();
        }

        @Test
        void shouldDeclineForInsufficientFundsWhenExistingHoldsLeaveTooLittle() {
            // Given: 1000 with 600 already held
            Account account = account(1_000, Map.of("o1", 600L));

            // When
            LedgerStep step = Ledger.apply(account, null, authorize("o2", 401));

            // Then
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.DECLINED);
            assertThat(step.reply().getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
            assertThat(step.record().getState()).isEqualTo(PaymentRecordState.DECLINED);
            assertThat(step.record().getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
            assertThat(step.changed()).isTrue();
            assertThat(step.account()).isSameAs(account);
        }

        @Test
        void shouldDeclineWithUnknownAccountWhenTheCustomerHasNoAccount() {
            // Given / When
            LedgerStep step = Ledger.apply(null, null, authorize("o1", 1));

            // Then
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.DECLINED);
            assertThat(step.reply().getReason()).isEqualTo(CancelReason.UNKNOWN_ACCOUNT);
            assertThat(step.record().getState()).isEqualTo(PaymentRecordState.DECLINED);
            assertThat(step.account()).isNull();
        }

        @Test
        void shouldDeclineWithCurrencyMismatchWhenTheOrderIsInAnotherCurrency() {
            // Given
            Account account = account(1_000_000, Map.of());

            // When
            LedgerStep step = Ledger.apply(account, null, paymentCommand("o1", PaymentCommandType.AUTHORIZE, 1, "USD"));

            // Then
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.DECLINED);
            assertThat(step.reply().getReason()).isEqualTo(CancelReason.CURRENCY_MISMATCH);
            assertThat(step.account()).isSameAs(account);
        }

        @Test
        void shouldAuthorizeWhenTheAmountIsZero() {
            // Given
            Account account = account(0, Map.of());

            // When
            LedgerStep step = Ledger.apply(account, null, authorize("o1", 0));

            // Then
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.AUTHORIZED);
        }

        @Test
        void shouldRejectTheAuthorizationWhenTheAmountIsNegative() {
            // Given
            Account account = account(1_000, Map.of());

            // When
            LedgerStep step = Ledger.apply(account, null, authorize("o1", -1));

            // Then
            assertRefusedWithoutEffect(step, account, null, Rejection.INVALID);
        }
    }

    @Nested
    class Settlement {
        @Test
        void shouldTurnTheHoldIntoADebitWhenCaptured() {
            // Given
            Account account = account(1_000, Map.of("o1", 600L, "o2", 100L));
            Account before = snapshot(account);

            // When
            LedgerStep step = Ledger.apply(account, record(PaymentRecordState.AUTHORIZED, 600),
                    command("o1", PaymentCommandType.CAPTURE));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.account().getBalance()).isEqualTo(400L);
            assertThat(Ledger.held(step.account())).isEqualTo(100L);
            assertThat(step.account().getVersion()).isEqualTo(2L);
            assertThat(step.record().getState()).isEqualTo(PaymentRecordState.CAPTURED);
            assertThat(step.record().getAmount()).isEqualTo(600L);
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.CAPTURED);
            assertThat(step.reply().getEventId()).isEqualTo("o1:captured");
            assertThat(account).isEqualTo(before);
        }

        @Test
        void shouldDebitTheHeldAmountWhenTheCaptureCommandCarriesAnotherAmount() {
            // Given
            Account account = account(1_000, Map.of("o1", 600L));

            // When
            LedgerStep step = Ledger.apply(account, record(PaymentRecordState.AUTHORIZED, 600),
                    paymentCommand("o1", PaymentCommandType.CAPTURE, 999));

            // Then
            assertThat(step.account().getBalance()).isEqualTo(400L);
        }

        @Test
        void shouldDropTheHoldWhenVoided() {
            // Given
            Account account = account(1_000, Map.of("o1", 600L));

            // When
            LedgerStep step = Ledger.apply(account, record(PaymentRecordState.AUTHORIZED, 600),
                    command("o1", PaymentCommandType.VOID));

            // Then
            assertThat(step.account().getBalance()).isEqualTo(1_000L);
            assertThat(Ledger.held(step.account())).isZero();
            assertThat(step.record().getState()).isEqualTo(PaymentRecordState.VOIDED);
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.VOIDED);
        }

        @Test
        void shouldCreditTheCapturedAmountBackWhenRefunded() {
            // Given: 600 were captured from 1000
            Account account = account(400, Map.of());

            // When
            LedgerStep step = Ledger.apply(account, record(PaymentRecordState.CAPTURED, 600),
                    command("o1", PaymentCommandType.REFUND));

            // Then
            assertThat(step.account().getBalance()).isEqualTo(1_000L);
            assertThat(step.record().getState()).isEqualTo(PaymentRecordState.REFUNDED);
            assertThat(step.reply().getType()).isEqualTo(PaymentReplyType.REFUNDED);
        }

        /**
         * Deposits stop at {@link Ledger#MAX_BALANCE}, so this state cannot be reached through the topics; the refund
         * must still never wrap the balance negative.
         */
        @Test
        void shouldNeverLetTheBalanceGoNegativeWhenARefundWouldOverflowIt() {
            // Given: 100 captured for o1 and a balance at Long.MAX_VALUE
            Account account = account(Long.MAX_VALUE, Map.of());
            PaymentRecord captured = record(PaymentRecordState.CAPTURED, 100);

            // When
            LedgerStep step = Ledger.apply(account, captured, command("o1", PaymentCommandType.REFUND));

            // Then: refused like an overflowing deposit, with nothing changed
            assertThat(step.account().getBalance()).as("balance after refund").isGreaterThanOrEqualTo(0L);
            assertRefusedWithoutEffect(step, account, captured, Rejection.INVALID);
        }

        static Stream<Arguments> illegal() {
            return Stream.of(
                    Arguments.of(PaymentCommandType.CAPTURE, null),
                    Arguments.of(PaymentCommandType.CAPTURE, PaymentRecordState.VOIDED),
                    Arguments.of(PaymentCommandType.CAPTURE, PaymentRecordState.DECLINED),
                    Arguments.of(PaymentCommandType.VOID, null),
                    Arguments.of(PaymentCommandType.VOID, PaymentRecordState.CAPTURED),
                    Arguments.of(PaymentCommandType.VOID, PaymentRecordState.REFUNDED),
                    Arguments.of(PaymentCommandType.VOID, PaymentRecordState.DECLINED),
                    Arguments.of(PaymentCommandType.REFUND, null),
                    Arguments.of(PaymentCommandType.REFUND, PaymentRecordState.AUTHORIZED),
                    Arguments.of(PaymentCommandType.REFUND, PaymentRecordState.VOIDED),
                    Arguments.of(PaymentCommandType.REFUND, PaymentRecordState.DECLINED));
        }

        @ParameterizedTest(name = "{0} when {1}")
        @MethodSource("illegal")
        void shouldRejectTheCommandWhenThePaymentIsNotInTheStateItNeeds(PaymentCommandType type,
                                                                       PaymentRecordState state) {
            // Given
            Account account = account(1_000, Map.of());
            PaymentRecord record = state == null ? null : record(state, 600);

            // When
            LedgerStep step = Ledger.apply(account, record, command("o1", type));

            // Then
            assertRefusedWithoutEffect(step, account, record, Rejection.ILLEGAL_COMMAND);
            assertThat(step.rejection().message()).contains(type.name()).contains("o1");
        }

        @Test
        void shouldRejectASettlementWhenTheAccountIsUnknown() {
            // Given
            PaymentRecord record = record(PaymentRecordState.AUTHORIZED, 600);

            // When
            LedgerStep step = Ledger.apply(null, record, command("o1", PaymentCommandType.CAPTURE));

            // Then
            assertRefusedWithoutEffect(step, null, record, Rejection.ILLEGAL_COMMAND);
        }
    }

    @Nested
    class Replays {
        @Test
        void shouldReplyTheSameAndChangeNothingWhenAnAuthorizationIsReplayed() {
            // Given
            PaymentCommand command = authorize("o1", 600);
            LedgerStep first = Ledger.apply(account(1_000, Map.of()), null, command);

            // When
            LedgerStep replay = Ledger.apply(first.account(), first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.account()).isSameAs(first.account());
            assertThat(replay.record()).isSameAs(first.record());
            assertThat(Ledger.held(replay.account())).isEqualTo(600L);
        }

        @Test
        void shouldDeclineAgainWhenADeclinedAuthorizationIsReplayedAfterADeposit() {
            // Given: declined for lack of funds, then money arrives
            PaymentCommand command = authorize("o1", 600);
            LedgerStep first = Ledger.apply(account(100, Map.of()), null, command);
            Account richer = Ledger.deposit(first.account(), deposit(10_000)).account();

            // When
            LedgerStep replay = Ledger.apply(richer, first.record(), command);

            // Then: a replay is answered as the first time, never re-decided
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.reply().getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
            assertThat(replay.account()).isSameAs(richer);
        }

        @Test
        void shouldDeclineAgainWhenAnUnknownAccountAuthorizationIsReplayed() {
            // Given
            PaymentCommand command = authorize("o1", 600);
            LedgerStep first = Ledger.apply(null, null, command);

            // When
            LedgerStep replay = Ledger.apply(null, first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(first.reply());
        }

        @Test
        void shouldReplyAuthorizedWhenAnAuthorizationIsReplayedAfterCapture() {
            // Given
            PaymentCommand command = authorize("o1", 600);
            LedgerStep authorized = Ledger.apply(account(1_000, Map.of()), null, command);
            LedgerStep captured = Ledger.apply(authorized.account(), authorized.record(),
                    command("o1", PaymentCommandType.CAPTURE));

            // When
            LedgerStep replay = Ledger.apply(captured.account(), captured.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(authorized.reply());
            assertThat(replay.account()).isSameAs(captured.account());
        }

        static Stream<Arguments> settlements() {
            return Stream.of(
                    Arguments.of(PaymentCommandType.CAPTURE, PaymentRecordState.AUTHORIZED),
                    Arguments.of(PaymentCommandType.VOID, PaymentRecordState.AUTHORIZED),
                    Arguments.of(PaymentCommandType.REFUND, PaymentRecordState.CAPTURED));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("settlements")
        void shouldReplyTheSameAndChangeNothingWhenASettlementIsReplayed(PaymentCommandType type,
                                                                        PaymentRecordState from) {
            // Given
            PaymentCommand command = command("o1", type);
            Account account = from == PaymentRecordState.AUTHORIZED
                    ? account(1_000, Map.of("o1", 600L)) : account(400, Map.of());
            LedgerStep first = Ledger.apply(account, record(from, 600), command);
            Account after = snapshot(first.account());

            // When
            LedgerStep replay = Ledger.apply(first.account(), first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.rejection()).isNull();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.account()).isSameAs(first.account());
            assertThat(replay.account()).isEqualTo(after);
            assertThat(replay.record()).isSameAs(first.record());
        }

        @Test
        void shouldReplyCapturedWithoutDebitingAgainWhenACaptureIsReplayedAfterRefund() {
            // Given
            PaymentCommand capture = command("o1", PaymentCommandType.CAPTURE);
            LedgerStep captured = Ledger.apply(account(1_000, Map.of("o1", 600L)),
                    record(PaymentRecordState.AUTHORIZED, 600), capture);
            LedgerStep refunded = Ledger.apply(captured.account(), captured.record(),
                    command("o1", PaymentCommandType.REFUND));

            // When
            LedgerStep replay = Ledger.apply(refunded.account(), refunded.record(), capture);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(captured.reply());
            assertThat(replay.account().getBalance()).isEqualTo(1_000L);
        }
    }

    /** Accounts written before the held total existed list each open hold; they keep counting. */
    @Nested
    class ListedHolds {
        @Test
        void shouldCountListedHoldsAndTheTotalWhenAuthorizing() {
            // Given: o1 holds 600 in the old form
            Account account = legacyAccount(1_000, Map.of("o1", 600L));

            // When
            LedgerStep fits = Ledger.apply(account, null, authorize("o2", 400));
            LedgerStep tooMuch = Ledger.apply(account, null, authorize("o2", 401));

            // Then
            assertThat(fits.reply().getType()).isEqualTo(PaymentReplyType.AUTHORIZED);
            assertThat(fits.account().getHolds()).containsExactly(Map.entry("o1", 600L));
            assertThat(fits.account().getHeld()).isEqualTo(400L);
            assertThat(Ledger.available(fits.account())).isZero();
            assertThat(tooMuch.reply().getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
        }

        @Test
        void shouldSettleAListedHoldFromTheListAndANewOneFromTheTotalWhenCapturedOrVoided() {
            // Given: o1 listed, o2 in the total
            Account account = legacyAccount(1_000, Map.of("o1", 600L));
            account.setHeld(100L);

            // When
            LedgerStep captured = Ledger.apply(account, record(PaymentRecordState.AUTHORIZED, 600),
                    command("o1", PaymentCommandType.CAPTURE));
            LedgerStep voided = Ledger.apply(captured.account(), record(PaymentRecordState.AUTHORIZED, 100),
                    command("o2", PaymentCommandType.VOID));

            // Then
            assertThat(captured.account().getHolds()).isEmpty();
            assertThat(captured.account().getHeld()).isEqualTo(100L);
            assertThat(captured.account().getBalance()).isEqualTo(400L);
            assertThat(voided.account().getHeld()).isZero();
            assertThat(voided.account().getBalance()).isEqualTo(400L);
            assertThat(Ledger.available(voided.account())).isEqualTo(400L);
        }

        @Test
        void shouldTakeAListedHoldOutOfTheListWhenVoided() {
            // Given: o1 listed, 100 for another order in the total
            Account account = legacyAccount(1_000, Map.of("o1", 600L));
            account.setHeld(100L);

            // When
            LedgerStep voided = Ledger.apply(account, record(PaymentRecordState.AUTHORIZED, 600),
                    command("o1", PaymentCommandType.VOID));

            // Then: the list empties, the total is untouched
            assertThat(voided.account().getHolds()).isEmpty();
            assertThat(voided.account().getHeld()).isEqualTo(100L);
            assertThat(voided.account().getBalance()).isEqualTo(1_000L);
        }

        @Test
        void shouldSumTheTotalAndEveryListedHoldWhenAskedWhatIsHeld() {
            // Given
            Account account = legacyAccount(1_000, Map.of("o1", 100L, "o2", 250L));
            account.setHeld(50L);

            // When / Then
            assertThat(Ledger.held(account)).isEqualTo(400L);
            assertThat(Ledger.available(account)).isEqualTo(600L);
        }
    }

    @Test
    void shouldNotAcceptAFirstDepositWhoseIdentityIsMissing() {
        // Given: a deposit with no customer id (the reader would normally key it by customerId)
        FundsDeposited deposit = new FundsDeposited("d1", null, 100L, EUR);

        // When
        LedgerStep step = Ledger.deposit(null, deposit);

        // Then
        assertRefusedWithoutEffect(step, null, null, Rejection.INVALID);
        assertThat(step.rejection().message()).contains("customerId is missing");
    }
}
