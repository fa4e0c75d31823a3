package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentCommand;
import io.orderflow.contracts.PaymentCommandType;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.state.LineStep;
import io.orderflow.contracts.state.PaymentStep;
import io.orderflow.contracts.state.SagaLine;
import io.orderflow.contracts.state.SagaState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.EUR;
import static io.orderflow.domain.DomainFixtures.ORDER;
import static io.orderflow.domain.DomainFixtures.inventoryReply;
import static io.orderflow.domain.DomainFixtures.line;
import static io.orderflow.domain.DomainFixtures.order;
import static io.orderflow.domain.DomainFixtures.paymentReply;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class SagaRulesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long T0 = 1_700_000_000_000L;
    private static final long LATER = T0 + 1_000;

    private final SagaRules rules = new SagaRules(TIMEOUT);

    /** Two lines, total 2 × 1250 + 1 × 500 = 3000. */
    private static OrderPlaced twoLineOrder() {
        return order(line("s1", 2, 1250), line("s2", 1, 500));
    }

    private SagaState awaiting() {
        return rules.place(ORDER, twoLineOrder(), T0).state();
    }

    private SagaState reserved(SagaState state, String sku) {
        return rules.inventoryReply(state, inventoryReply(sku, InventoryReplyType.RESERVED), LATER).state();
    }

    private SagaState authorized(SagaState state) {
        return rules.paymentReply(state, paymentReply(PaymentReplyType.AUTHORIZED), LATER).state();
    }

    private SagaState confirmed() {
        return authorized(reserved(reserved(awaiting(), "s1"), "s2"));
    }

    private static LineStep stepOf(SagaState state, String sku) {
        return state.getLines().stream().filter(l -> l.getLine().getSku().equals(sku)).findFirst()
                .map(SagaLine::getStep).orElseThrow();
    }

    @Test
    void shouldRefuseTimeoutWhenItIsNotPositive() {
        // Given / When / Then
        assertThatThrownBy(() -> new SagaRules(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SagaRules(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Nested
    class Placement {
        @Test
        void shouldSendOneAuthorizeOfTheTotalAndOneReservePerLineWhenAValidOrderIsPlaced() {
            // Given
            OrderPlaced placed = twoLineOrder();

            // When
            SagaStep step = rules.place(ORDER, placed, T0);

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.paymentCommands()).singleElement().satisfies(command -> {
                assertThat(command.getType()).isEqualTo(PaymentCommandType.AUTHORIZE);
                assertThat(command.getAmount()).isEqualTo(3000L);
                assertThat(command.getCurrency()).isEqualTo(EUR);
                assertThat(command.getOrderId()).isEqualTo(ORDER);
                assertThat(command.getCustomerId()).isEqualTo(CUSTOMER);
                assertThat(command.getEventId()).isEqualTo("o1:authorize");
            });
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku, InventoryCommand::getQuantity,
                            InventoryCommand::getOrderId, InventoryCommand::getEventId)
                    .containsExactly(
                            tuple(InventoryCommandType.RESERVE, "s1", 2, ORDER, "o1:reserve:s1"),
                            tuple(InventoryCommandType.RESERVE, "s2", 1, ORDER, "o1:reserve:s2"));
        }

        @Test
        void shouldEmitPlacedThenAwaitingWhenAValidOrderIsPlaced() {
            // Given
            OrderPlaced placed = twoLineOrder();

            // When
            SagaStep step = rules.place(ORDER, placed, T0);

            // Then
            assertThat(step.statusChanges())
                    .extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getPreviousStatus,
                            OrderStatusChanged::getVersion, OrderStatusChanged::getEventId,
                            OrderStatusChanged::getReason)
                    .containsExactly(
                            tuple(OrderStatus.PLACED, null, 1, "o1:v1", null),
                            tuple(OrderStatus.AWAITING, OrderStatus.PLACED, 2, "o1:v2", null));
            assertThat(step.statusChanges()).allSatisfy(change -> {
                assertThat(change.getOrderId()).isEqualTo(ORDER);
                assertThat(change.getCustomerId()).isEqualTo(CUSTOMER);
                assertThat(change.getTotal()).isEqualTo(3000L);
                assertThat(change.getCurrency()).isEqualTo(EUR);
                assertThat(change.getLines()).isEqualTo(placed.getLines());
                assertThat(change.getPlacedAt()).isEqualTo(T0);
                assertThat(change.getChangedAt()).isEqualTo(T0);
            });
        }

        @Test
        void shouldStoreAwaitingStateWithDeadlineWhenAValidOrderIsPlaced() {
            // Given / When
            SagaState state = rules.place(ORDER, twoLineOrder(), T0).state();

            // Then
            assertThat(state.getStatus()).isEqualTo(OrderStatus.AWAITING);
            assertThat(state.getVersion()).isEqualTo(2);
            assertThat(state.getReason()).isNull();
            assertThat(state.getTotal()).isEqualTo(3000L);
            assertThat(state.getPlacedAt()).isEqualTo(T0);
            assertThat(state.getDeadline()).isEqualTo(T0 + TIMEOUT.toMillis());
            assertThat(state.getPayment()).isEqualTo(PaymentStep.AUTHORIZING);
            assertThat(state.getLines()).extracting(SagaLine::getStep)
                    .containsExactly(LineStep.RESERVING, LineStep.RESERVING);
        }

        @Test
        void shouldNotShareLinesWithTheInputWhenAnOrderIsPlaced() {
            // Given
            OrderPlaced placed = twoLineOrder();
            SagaState state = rules.place(ORDER, placed, T0).state();

            // When
            placed.getLines().get(0).setQuantity(99);

            // Then
            assertThat(state.getLines().get(0).getLine().getQuantity()).isEqualTo(2);
        }

        static Stream<Arguments> invalidOrders() {
            List<OrderLine> fiftyOne = IntStream.range(0, 51).mapToObj(i -> line("s" + i, 1, 1)).toList();
            return Stream.of(
                    Arguments.of("no lines", order(CUSTOMER, EUR, List.of())),
                    Arguments.of("51 lines", order(CUSTOMER, EUR, fiftyOne)),
                    Arguments.of("bad customer id", order("c 1", EUR, List.of(line("s1", 1, 1)))),
                    Arguments.of("bad currency", order(CUSTOMER, "EURO", List.of(line("s1", 1, 1)))),
                    Arguments.of("unknown currency", order(CUSTOMER, "ZZZ", List.of(line("s1", 1, 1)))),
                    Arguments.of("zero quantity", order(line("s1", 0, 1))),
                    Arguments.of("negative quantity", order(line("s1", -2, 1))),
                    Arguments.of("negative price", order(line("s1", 1, -1))),
                    Arguments.of("bad sku", order(line("s/1", 1, 1))),
                    Arguments.of("duplicate sku", order(line("s1", 1, 1), line("s1", 2, 1))),
                    Arguments.of("overflowing total", order(line("s1", 2, Long.MAX_VALUE / 2 + 1))));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidOrders")
        void shouldEmitPlacedThenCancelledInvalidOrderAndSendNothingWhenOrderIsInvalid(String why,
                                                                                       OrderPlaced placed) {
            // Given: an order that breaks one business rule

            // When
            SagaStep step = rules.place(ORDER, placed, T0);

            // Then
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
            assertThat(step.statusChanges())
                    .extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getPreviousStatus,
                            OrderStatusChanged::getVersion, OrderStatusChanged::getReason)
                    .containsExactly(
                            tuple(OrderStatus.PLACED, null, 1, null),
                            tuple(OrderStatus.CANCELLED, OrderStatus.PLACED, 2, CancelReason.INVALID_ORDER));
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(step.state().getReason()).isEqualTo(CancelReason.INVALID_ORDER);
            assertThat(step.state().getVersion()).isEqualTo(2);
            assertThat(step.state().getTotal()).isGreaterThanOrEqualTo(0L);
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.NONE);
        }

        @Test
        void shouldIgnoreEveryLaterInputWhenTheOrderWasInvalid() {
            // Given
            SagaState cancelled = rules.place(ORDER, order(line("s1", 0, 1)), T0).state();

            // When / Then
            assertThat(rules.inventoryReply(cancelled, inventoryReply("s1", InventoryReplyType.RESERVED), LATER))
                    .isEqualTo(SagaStep.unchanged(cancelled));
            assertThat(rules.paymentReply(cancelled, paymentReply(PaymentReplyType.AUTHORIZED), LATER))
                    .isEqualTo(SagaStep.unchanged(cancelled));
            assertThat(rules.cancel(cancelled, LATER)).isEqualTo(SagaStep.unchanged(cancelled));
            assertThat(rules.deadline(cancelled, T0 + TIMEOUT.toMillis())).isEqualTo(SagaStep.unchanged(cancelled));
        }
    }

    @Nested
    class Confirmation {
        @Test
        void shouldWaitWhenOnlySomeGrantsHaveArrived() {
            // Given
            SagaState state = reserved(awaiting(), "s1");

            // When
            SagaStep step = rules.paymentReply(state, paymentReply(PaymentReplyType.AUTHORIZED), LATER);

            // Then: s2 is still RESERVING, so nothing is confirmed yet
            assertThat(step.changed()).isTrue();
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.AWAITING);
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.AUTHORIZED);
            assertThat(stepOf(step.state(), "s1")).isEqualTo(LineStep.RESERVED);
            assertThat(stepOf(step.state(), "s2")).isEqualTo(LineStep.RESERVING);
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }

        @Test
        void shouldWaitForThePaymentWhenAllLinesAreReserved() {
            // Given
            SagaState state = reserved(awaiting(), "s1");

            // When
            SagaStep step = rules.inventoryReply(state, inventoryReply("s2", InventoryReplyType.RESERVED), LATER);

            // Then
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.AWAITING);
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }

        static Stream<Arguments> lastGrant() {
            return Stream.of(
                    Arguments.of("payment last", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.reserved(t.reserved(t.awaiting(), "s1"), "s2"),
                                    paymentReply(PaymentReplyType.AUTHORIZED), LATER)),
                    Arguments.of("a line last", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.authorized(t.reserved(t.awaiting(), "s2")),
                                    inventoryReply("s1", InventoryReplyType.RESERVED), LATER)));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("lastGrant")
        void shouldConfirmAndSendCaptureAndOneCommitPerLineWhenTheLastGrantArrives(
                String which, Function<SagaRulesTest, SagaStep> lastGrant) {
            // Given: every line reserved and the payment authorized, the last of them arriving now

            // When
            SagaStep step = lastGrant.apply(SagaRulesTest.this);

            // Then
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(step.state().getVersion()).isEqualTo(3);
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.CAPTURING);
            assertThat(step.state().getLines()).extracting(SagaLine::getStep)
                    .containsOnly(LineStep.COMMITTING);
            assertThat(step.statusChanges()).singleElement().satisfies(change -> {
                assertThat(change.getStatus()).isEqualTo(OrderStatus.CONFIRMED);
                assertThat(change.getPreviousStatus()).isEqualTo(OrderStatus.AWAITING);
                assertThat(change.getVersion()).isEqualTo(3);
                assertThat(change.getReason()).isNull();
                assertThat(change.getChangedAt()).isEqualTo(LATER);
            });
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType, PaymentCommand::getAmount)
                    .containsExactly(tuple(PaymentCommandType.CAPTURE, 3000L));
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku, InventoryCommand::getQuantity)
                    .containsExactly(
                            tuple(InventoryCommandType.COMMIT, "s1", 2),
                            tuple(InventoryCommandType.COMMIT, "s2", 1));
        }

        @Test
        void shouldStayConfirmedWithoutNewStatusWhenCaptureAndCommitsAreAcknowledged() {
            // Given
            SagaState state = confirmed();

            // When
            SagaStep captured = rules.paymentReply(state, paymentReply(PaymentReplyType.CAPTURED), LATER);
            SagaStep committed1 = rules.inventoryReply(captured.state(),
                    inventoryReply("s1", InventoryReplyType.COMMITTED), LATER);
            SagaStep committed2 = rules.inventoryReply(committed1.state(),
                    inventoryReply("s2", InventoryReplyType.COMMITTED), LATER);

            // Then
            for (SagaStep step : List.of(captured, committed1, committed2)) {
                assertThat(step.changed()).isTrue();
                assertThat(step.statusChanges()).isEmpty();
                assertThat(step.paymentCommands()).isEmpty();
                assertThat(step.inventoryCommands()).isEmpty();
            }
            SagaState done = committed2.state();
            assertThat(done.getStatus()).isEqualTo(OrderStatus.CONFIRMED);
            assertThat(done.getVersion()).isEqualTo(3);
            assertThat(done.getPayment()).isEqualTo(PaymentStep.CAPTURED);
            assertThat(done.getLines()).extracting(SagaLine::getStep).containsOnly(LineStep.COMMITTED);
        }
    }

    @Nested
    class Refusal {
        @Test
        void shouldCompensateWithTheRejectionReasonAndReleaseOnlyReservedLinesWhenALineIsRejected() {
            // Given: s1 reserved, s2 still reserving, payment authorized; s3 is rejected
            SagaState state = rules.place(ORDER, order(line("s1", 2, 10), line("s2", 1, 10), line("s3", 4, 10)), T0)
                    .state();
            state = authorized(reserved(state, "s1"));

            // When
            SagaStep step = rules.inventoryReply(state,
                    inventoryReply("s3", InventoryReplyType.REJECTED, CancelReason.UNKNOWN_SKU), LATER);

            // Then
            assertThat(step.statusChanges())
                    .extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getPreviousStatus,
                            OrderStatusChanged::getVersion, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, OrderStatus.AWAITING, 3,
                            CancelReason.UNKNOWN_SKU));
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku, InventoryCommand::getQuantity)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1", 2));
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType, PaymentCommand::getAmount)
                    .containsExactly(tuple(PaymentCommandType.VOID, 70L));
            assertThat(step.state().getReason()).isEqualTo(CancelReason.UNKNOWN_SKU);
            assertThat(stepOf(step.state(), "s1")).isEqualTo(LineStep.RELEASING);
            assertThat(stepOf(step.state(), "s2")).isEqualTo(LineStep.RESERVING);
            assertThat(stepOf(step.state(), "s3")).isEqualTo(LineStep.REJECTED);
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.VOIDING);
        }

        @Test
        void shouldCancelWhenEveryCompensationIsAcknowledged() {
            // Given: compensating after s2 was rejected, with s1's release and the void outstanding
            SagaState state = authorized(reserved(awaiting(), "s1"));
            state = rules.inventoryReply(state,
                    inventoryReply("s2", InventoryReplyType.REJECTED, CancelReason.OUT_OF_STOCK), LATER).state();

            // When
            SagaStep voided = rules.paymentReply(state, paymentReply(PaymentReplyType.VOIDED), LATER);
            SagaStep released = rules.inventoryReply(voided.state(),
                    inventoryReply("s1", InventoryReplyType.RELEASED), LATER + 1);

            // Then
            assertThat(voided.state().getStatus()).isEqualTo(OrderStatus.COMPENSATING);
            assertThat(voided.statusChanges()).isEmpty();
            assertThat(released.statusChanges()).singleElement().satisfies(change -> {
                assertThat(change.getStatus()).isEqualTo(OrderStatus.CANCELLED);
                assertThat(change.getPreviousStatus()).isEqualTo(OrderStatus.COMPENSATING);
                assertThat(change.getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
                assertThat(change.getVersion()).isEqualTo(4);
                assertThat(change.getChangedAt()).isEqualTo(LATER + 1);
            });
            assertThat(released.state().getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(released.state().getPayment()).isEqualTo(PaymentStep.VOIDED);
            assertThat(released.paymentCommands()).isEmpty();
            assertThat(released.inventoryCommands()).isEmpty();
        }

        @Test
        void shouldDefaultToOutOfStockWhenARejectionCarriesNoReason() {
            // Given
            SagaState state = awaiting();

            // When
            SagaStep step = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.REJECTED), LATER);

            // Then
            assertThat(step.state().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
        }

        @ParameterizedTest
        @EnumSource(value = CancelReason.class,
                names = {"INSUFFICIENT_FUNDS", "UNKNOWN_ACCOUNT", "CURRENCY_MISMATCH"})
        void shouldCompensateWithTheDeclineReasonAndNotVoidWhenPaymentIsDeclined(CancelReason reason) {
            // Given: s1 reserved, s2 reserving
            SagaState state = reserved(awaiting(), "s1");

            // When
            SagaStep step = rules.paymentReply(state, paymentReply(PaymentReplyType.DECLINED, reason), LATER);

            // Then
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.COMPENSATING);
            assertThat(step.state().getReason()).isEqualTo(reason);
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.DECLINED);
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1"));
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, reason));
        }

        @Test
        void shouldDefaultToInsufficientFundsWhenADeclineCarriesNoReason() {
            // Given
            SagaState state = awaiting();

            // When
            SagaStep step = rules.paymentReply(state, paymentReply(PaymentReplyType.DECLINED), LATER);

            // Then
            assertThat(step.state().getReason()).isEqualTo(CancelReason.INSUFFICIENT_FUNDS);
        }

        @Test
        void shouldCancelAtOnceWhenNothingWasGrantedYet() {
            // Given: nothing answered yet
            SagaState state = awaiting();

            // When
            SagaStep step = rules.paymentReply(state,
                    paymentReply(PaymentReplyType.DECLINED, CancelReason.UNKNOWN_ACCOUNT), LATER);

            // Then: both reserves are still in flight; they will be released when (if) they are granted
            assertThat(step.statusChanges())
                    .extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getPreviousStatus,
                            OrderStatusChanged::getVersion, OrderStatusChanged::getReason)
                    .containsExactly(
                            tuple(OrderStatus.COMPENSATING, OrderStatus.AWAITING, 3, CancelReason.UNKNOWN_ACCOUNT),
                            tuple(OrderStatus.CANCELLED, OrderStatus.COMPENSATING, 4, CancelReason.UNKNOWN_ACCOUNT));
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }

        @Test
        void shouldKeepTheFirstReasonWhenASecondRefusalArrivesWhileCompensating() {
            // Given: s1 reserved, then s2 rejected → compensating with s1's release outstanding
            SagaState state = rules.inventoryReply(reserved(awaiting(), "s1"),
                    inventoryReply("s2", InventoryReplyType.REJECTED, CancelReason.OUT_OF_STOCK), LATER).state();

            // When
            SagaStep declined = rules.paymentReply(state,
                    paymentReply(PaymentReplyType.DECLINED, CancelReason.INSUFFICIENT_FUNDS), LATER);
            SagaStep released = rules.inventoryReply(declined.state(),
                    inventoryReply("s1", InventoryReplyType.RELEASED), LATER);

            // Then
            assertThat(declined.statusChanges()).isEmpty();
            assertThat(declined.state().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
            assertThat(released.statusChanges()).extracting(OrderStatusChanged::getStatus,
                    OrderStatusChanged::getReason).containsExactly(tuple(OrderStatus.CANCELLED,
                    CancelReason.OUT_OF_STOCK));
        }
    }

    @Nested
    class LateGrants {
        private SagaState cancelledWithEverythingInFlight() {
            return rules.deadline(awaiting(), T0 + TIMEOUT.toMillis()).state();
        }

        @Test
        void shouldReleaseAtOnceWhenAReservationArrivesAfterTheSagaGaveUp() {
            // Given
            SagaState cancelled = cancelledWithEverythingInFlight();
            assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.CANCELLED);

            // When
            SagaStep step = rules.inventoryReply(cancelled, inventoryReply("s2", InventoryReplyType.RESERVED), LATER);

            // Then
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku, InventoryCommand::getQuantity)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s2", 1));
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(stepOf(step.state(), "s2")).isEqualTo(LineStep.RELEASING);
        }

        @Test
        void shouldVoidAtOnceWhenAnAuthorizationArrivesAfterTheSagaGaveUp() {
            // Given
            SagaState cancelled = cancelledWithEverythingInFlight();

            // When
            SagaStep step = rules.paymentReply(cancelled, paymentReply(PaymentReplyType.AUTHORIZED), LATER);

            // Then
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType, PaymentCommand::getAmount)
                    .containsExactly(tuple(PaymentCommandType.VOID, 3000L));
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.VOIDING);
        }

        @Test
        void shouldReleaseAtOnceWhenAReservationArrivesWhileCompensating() {
            // Given: s1 reserved and released-in-flight, s2 still reserving
            SagaState compensating = rules.cancel(reserved(awaiting(), "s1"), LATER).state();
            assertThat(compensating.getStatus()).isEqualTo(OrderStatus.COMPENSATING);

            // When
            SagaStep step = rules.inventoryReply(compensating, inventoryReply("s2", InventoryReplyType.RESERVED),
                    LATER);

            // Then
            assertThat(step.inventoryCommands()).extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s2"));
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.COMPENSATING);
        }

        @Test
        void shouldNotEmitAnotherStatusWhenTheLateGrantIsGivenBack() {
            // Given
            SagaState state = rules.inventoryReply(cancelledWithEverythingInFlight(),
                    inventoryReply("s2", InventoryReplyType.RESERVED), LATER).state();
            state = rules.paymentReply(state, paymentReply(PaymentReplyType.AUTHORIZED), LATER).state();

            // When
            SagaStep released = rules.inventoryReply(state, inventoryReply("s2", InventoryReplyType.RELEASED), LATER);
            SagaStep voided = rules.paymentReply(released.state(), paymentReply(PaymentReplyType.VOIDED), LATER);

            // Then
            assertThat(released.statusChanges()).isEmpty();
            assertThat(voided.statusChanges()).isEmpty();
            assertThat(voided.state().getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(voided.state().getVersion()).isEqualTo(4);
            assertThat(stepOf(voided.state(), "s2")).isEqualTo(LineStep.RELEASED);
            assertThat(voided.state().getPayment()).isEqualTo(PaymentStep.VOIDED);
        }

        @Test
        void shouldRecordARejectionWithoutNewStatusWhenItArrivesAfterTheSagaGaveUp() {
            // Given
            SagaState cancelled = cancelledWithEverythingInFlight();

            // When
            SagaStep step = rules.inventoryReply(cancelled,
                    inventoryReply("s1", InventoryReplyType.REJECTED, CancelReason.OUT_OF_STOCK), LATER);

            // Then
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
            assertThat(step.state().getReason()).isEqualTo(CancelReason.TIMEOUT);
            assertThat(stepOf(step.state(), "s1")).isEqualTo(LineStep.REJECTED);
        }
    }

    @Nested
    class Deadline {
        @Test
        void shouldCompensateWithTimeoutWhenTheDeadlinePassesWhileAwaiting() {
            // Given: s1 reserved and payment authorized, s2 still reserving
            SagaState state = authorized(reserved(awaiting(), "s1"));

            // When
            SagaStep step = rules.deadline(state, state.getDeadline());

            // Then
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus,
                            OrderStatusChanged::getPreviousStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, OrderStatus.AWAITING, CancelReason.TIMEOUT));
            assertThat(step.inventoryCommands()).extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1"));
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.VOID);
            assertThat(step.state().getReason()).isEqualTo(CancelReason.TIMEOUT);
        }

        @Test
        void shouldCancelWithTimeoutAtOnceWhenNothingWasGrantedBeforeTheDeadline() {
            // Given
            SagaState state = awaiting();

            // When
            SagaStep step = rules.deadline(state, state.getDeadline() + 5_000);

            // Then
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, CancelReason.TIMEOUT),
                            tuple(OrderStatus.CANCELLED, CancelReason.TIMEOUT));
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }

        @Test
        void shouldDoNothingWhenTheDeadlineHasNotPassed() {
            // Given
            SagaState state = authorized(reserved(awaiting(), "s1"));

            // When
            SagaStep step = rules.deadline(state, state.getDeadline() - 1);

            // Then
            assertThat(step).isEqualTo(SagaStep.unchanged(state));
            assertThat(step.state()).isSameAs(state);
        }

        static Stream<Arguments> notAwaiting() {
            return Stream.of(
                    Arguments.of("CONFIRMED", (Function<SagaRulesTest, SagaState>) SagaRulesTest::confirmed),
                    Arguments.of("COMPENSATING", (Function<SagaRulesTest, SagaState>) t ->
                            t.rules.cancel(t.reserved(t.awaiting(), "s1"), LATER).state()),
                    Arguments.of("CANCELLED", (Function<SagaRulesTest, SagaState>) t ->
                            t.rules.cancel(t.awaiting(), LATER).state()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("notAwaiting")
        void shouldDoNothingWhenTheDeadlinePassesAndTheOrderIsNotAwaiting(String status,
                                                                          Function<SagaRulesTest, SagaState> given) {
            // Given
            SagaState state = given.apply(SagaRulesTest.this);
            assertThat(state.getStatus().name()).isEqualTo(status);

            // When
            SagaStep step = rules.deadline(state, state.getDeadline() + 60_000);

            // Then
            assertThat(step.changed()).isFalse();
            assertThat(step.state()).isSameAs(state);
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }
    }

    @Nested
    class CustomerCancel {
        @Test
        void shouldCompensateWithCustomerReasonWhenCancelledWhileAwaiting() {
            // Given: s1 reserved, payment authorized, s2 reserving
            SagaState state = authorized(reserved(awaiting(), "s1"));

            // When
            SagaStep step = rules.cancel(state, LATER);

            // Then
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus,
                            OrderStatusChanged::getPreviousStatus, OrderStatusChanged::getReason)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, OrderStatus.AWAITING, CancelReason.CUSTOMER));
            assertThat(step.inventoryCommands()).extracting(InventoryCommand::getType, InventoryCommand::getSku)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1"));
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.VOID);
        }

        @Test
        void shouldEndCancelledByCustomerWhenTheCompensationsOfAnAwaitingOrderAreAcknowledged() {
            // Given
            SagaState state = rules.cancel(authorized(reserved(awaiting(), "s1")), LATER).state();

            // When
            state = rules.paymentReply(state, paymentReply(PaymentReplyType.VOIDED), LATER).state();
            SagaStep last = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.RELEASED), LATER);

            // Then
            assertThat(last.statusChanges()).extracting(OrderStatusChanged::getStatus,
                            OrderStatusChanged::getPreviousStatus, OrderStatusChanged::getReason,
                            OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 4));
        }

        @Test
        void shouldRefundAndReleaseEveryLineWhenCancelledAfterConfirmation() {
            // Given: confirmed, capture and commits acknowledged
            SagaState state = confirmed();
            state = rules.paymentReply(state, paymentReply(PaymentReplyType.CAPTURED), LATER).state();
            state = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.COMMITTED), LATER).state();
            state = rules.inventoryReply(state, inventoryReply("s2", InventoryReplyType.COMMITTED), LATER).state();

            // When
            SagaStep step = rules.cancel(state, LATER + 10);

            // Then
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus,
                            OrderStatusChanged::getPreviousStatus, OrderStatusChanged::getReason,
                            OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.COMPENSATING, OrderStatus.CONFIRMED, CancelReason.CUSTOMER, 4));
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType, PaymentCommand::getAmount)
                    .containsExactly(tuple(PaymentCommandType.REFUND, 3000L));
            assertThat(step.inventoryCommands())
                    .extracting(InventoryCommand::getType, InventoryCommand::getSku, InventoryCommand::getQuantity)
                    .containsExactly(tuple(InventoryCommandType.RELEASE, "s1", 2),
                            tuple(InventoryCommandType.RELEASE, "s2", 1));
            assertThat(step.state().getPayment()).isEqualTo(PaymentStep.REFUNDING);
        }

        @Test
        void shouldRefundAndReleaseEvenWhenCaptureAndCommitsAreStillInFlight() {
            // Given: confirmed, nothing acknowledged yet
            SagaState state = confirmed();

            // When
            SagaStep step = rules.cancel(state, LATER);

            // Then
            assertThat(step.paymentCommands()).extracting(PaymentCommand::getType)
                    .containsExactly(PaymentCommandType.REFUND);
            assertThat(step.inventoryCommands()).extracting(InventoryCommand::getType)
                    .containsExactly(InventoryCommandType.RELEASE, InventoryCommandType.RELEASE);
        }

        @Test
        void shouldEndCancelledByCustomerWhenRefundAndRestocksAreAcknowledged() {
            // Given: confirmed, then cancelled before the capture/commit acknowledgements arrived
            SagaState state = rules.cancel(confirmed(), LATER).state();

            // When: the stale acknowledgements arrive first, then the compensations
            SagaStep staleCapture = rules.paymentReply(state, paymentReply(PaymentReplyType.CAPTURED), LATER);
            SagaStep staleCommit = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.COMMITTED),
                    LATER);
            state = rules.paymentReply(state, paymentReply(PaymentReplyType.REFUNDED), LATER).state();
            state = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.RELEASED), LATER).state();
            SagaStep last = rules.inventoryReply(state, inventoryReply("s2", InventoryReplyType.RELEASED), LATER);

            // Then
            assertThat(staleCapture.changed()).isFalse();
            assertThat(staleCommit.changed()).isFalse();
            assertThat(state.getStatus()).isEqualTo(OrderStatus.COMPENSATING);
            assertThat(last.statusChanges()).extracting(OrderStatusChanged::getStatus,
                            OrderStatusChanged::getPreviousStatus, OrderStatusChanged::getReason,
                            OrderStatusChanged::getVersion)
                    .containsExactly(tuple(OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 5));
            assertThat(last.state().getPayment()).isEqualTo(PaymentStep.REFUNDED);
            assertThat(last.state().getLines()).extracting(SagaLine::getStep).containsOnly(LineStep.RELEASED);
        }

        static Stream<Arguments> alreadyGivingUp() {
            return Stream.of(
                    Arguments.of("COMPENSATING", (Function<SagaRulesTest, SagaState>) t ->
                            t.rules.cancel(t.reserved(t.awaiting(), "s1"), LATER).state()),
                    Arguments.of("CANCELLED", (Function<SagaRulesTest, SagaState>) t ->
                            t.rules.deadline(t.awaiting(), T0 + TIMEOUT.toMillis()).state()),
                    Arguments.of("COMPENSATING", (Function<SagaRulesTest, SagaState>) t ->
                            t.rules.cancel(t.confirmed(), LATER).state()));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("alreadyGivingUp")
        void shouldDoNothingWhenCancelledWhileCompensatingOrCancelled(String status,
                                                                     Function<SagaRulesTest, SagaState> given) {
            // Given
            SagaState state = given.apply(SagaRulesTest.this);
            assertThat(state.getStatus().name()).isEqualTo(status);

            // When
            SagaStep step = rules.cancel(state, LATER + 1);

            // Then
            assertThat(step.changed()).isFalse();
            assertThat(step.state()).isSameAs(state);
            assertThat(step.statusChanges()).isEmpty();
        }
    }

    @Nested
    class OperatorActions {
        @Test
        void shouldCompensateWhatIsHeldAndAwaitTheRestWhenAnOperatorCompensatesAnAwaitingSaga() {
            // Given a saga with s1 reserved, s2 and the payment still awaited
            SagaState state = reserved(awaiting(), "s1");

            // When an operator compensates it
            SagaStep step = rules.operatorCompensate(state, LATER);

            // Then it compensates: s1 released now, the in-flight grants released when they come
            assertThat(step.changed()).isTrue();
            assertThat(step.state().getStatus()).isEqualTo(OrderStatus.COMPENSATING);
            assertThat(step.state().getReason()).isEqualTo(CancelReason.OPERATOR);
            assertThat(step.inventoryCommands()).extracting(InventoryCommand::getSku, InventoryCommand::getType)
                    .containsExactly(tuple("s1", InventoryCommandType.RELEASE));
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.statusChanges()).extracting(OrderStatusChanged::getStatus)
                    .containsExactly(OrderStatus.COMPENSATING);
        }

        @Test
        void shouldLeaveTheSagaAloneWhenAnOperatorCompensatesOneThatIsNotAwaiting() {
            // Given / When / Then
            SagaState confirmed = confirmed();
            assertThat(rules.operatorCompensate(confirmed, LATER)).isEqualTo(SagaStep.unchanged(confirmed));
            SagaState compensating = rules.operatorCompensate(awaiting(), LATER).state();
            assertThat(rules.operatorCompensate(compensating, LATER)).isEqualTo(SagaStep.unchanged(compensating));
        }

        @Test
        void shouldResendExactlyTheOutstandingCommandsWithTheirOriginalEventIdsWhenAsked() {
            // Given a saga as placed (authorize and two reserves sent), then s1 reserved
            SagaStep placed = rules.place(ORDER, twoLineOrder(), T0);
            SagaState state = reserved(placed.state(), "s1");

            // When its outstanding commands are re-sent
            SagaStep resent = rules.resend(state);

            // Then they are those still awaited, identical to the first sending (so applied once), and nothing else
            assertThat(resent.changed()).isFalse();
            assertThat(resent.state()).isSameAs(state);
            assertThat(resent.statusChanges()).isEmpty();
            assertThat(resent.paymentCommands()).isEqualTo(placed.paymentCommands());
            assertThat(resent.inventoryCommands()).containsExactly(placed.inventoryCommands().stream()
                    .filter(c -> c.getSku().equals("s2")).findFirst().orElseThrow());
        }

        @Test
        void shouldResendTheCaptureAndCommitsOfAConfirmedSagaAndNothingOfAnEndedOne() {
            // Given / When
            SagaStep confirming = rules.paymentReply(reserved(reserved(awaiting(), "s1"), "s2"),
                    paymentReply(PaymentReplyType.AUTHORIZED), LATER);
            SagaStep resent = rules.resend(confirming.state());

            // Then
            assertThat(resent.paymentCommands()).isEqualTo(confirming.paymentCommands());
            assertThat(resent.inventoryCommands()).isEqualTo(confirming.inventoryCommands());
            SagaState cancelled = rules.cancel(awaiting(), LATER).state();
            assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(rules.resend(cancelled).paymentCommands()).isEmpty();
            assertThat(rules.resend(cancelled).inventoryCommands()).isEmpty();
        }
    }

    @Nested
    class Duplicates {
        static Stream<Arguments> outOfStep() {
            return Stream.of(
                    Arguments.of("Reserved twice", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.reserved(t.awaiting(), "s1"),
                                    inventoryReply("s1", InventoryReplyType.RESERVED), LATER)),
                    Arguments.of("Authorized twice", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.authorized(t.awaiting()),
                                    paymentReply(PaymentReplyType.AUTHORIZED), LATER)),
                    Arguments.of("Rejected after Reserved", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.reserved(t.awaiting(), "s1"),
                                    inventoryReply("s1", InventoryReplyType.REJECTED), LATER)),
                    Arguments.of("Declined after Authorized", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.authorized(t.awaiting()),
                                    paymentReply(PaymentReplyType.DECLINED), LATER)),
                    Arguments.of("reply for a sku not in the order", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.awaiting(), inventoryReply("s9", InventoryReplyType.RESERVED),
                                    LATER)),
                    Arguments.of("Committed while reserving", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.awaiting(), inventoryReply("s1", InventoryReplyType.COMMITTED),
                                    LATER)),
                    Arguments.of("Released while reserving", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.awaiting(), inventoryReply("s1", InventoryReplyType.RELEASED),
                                    LATER)),
                    Arguments.of("Captured while authorizing", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.awaiting(), paymentReply(PaymentReplyType.CAPTURED), LATER)),
                    Arguments.of("Voided while authorizing", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.awaiting(), paymentReply(PaymentReplyType.VOIDED), LATER)),
                    Arguments.of("Refunded while authorizing", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.paymentReply(t.awaiting(), paymentReply(PaymentReplyType.REFUNDED), LATER)),
                    Arguments.of("Captured twice", (Function<SagaRulesTest, SagaStep>) t -> {
                        SagaState s = t.rules.paymentReply(t.confirmed(), paymentReply(PaymentReplyType.CAPTURED),
                                LATER).state();
                        return t.rules.paymentReply(s, paymentReply(PaymentReplyType.CAPTURED), LATER);
                    }),
                    Arguments.of("Committed twice", (Function<SagaRulesTest, SagaStep>) t -> {
                        SagaState s = t.rules.inventoryReply(t.confirmed(),
                                inventoryReply("s1", InventoryReplyType.COMMITTED), LATER).state();
                        return t.rules.inventoryReply(s, inventoryReply("s1", InventoryReplyType.COMMITTED), LATER);
                    }),
                    Arguments.of("Reserved after confirmation", (Function<SagaRulesTest, SagaStep>) t ->
                            t.rules.inventoryReply(t.confirmed(), inventoryReply("s1", InventoryReplyType.RESERVED),
                                    LATER)),
                    Arguments.of("Released twice", (Function<SagaRulesTest, SagaStep>) t -> {
                        SagaState s = t.rules.cancel(t.reserved(t.awaiting(), "s1"), LATER).state();
                        s = t.rules.inventoryReply(s, inventoryReply("s1", InventoryReplyType.RELEASED), LATER)
                                .state();
                        return t.rules.inventoryReply(s, inventoryReply("s1", InventoryReplyType.RELEASED), LATER);
                    }),
                    Arguments.of("Voided twice", (Function<SagaRulesTest, SagaStep>) t -> {
                        SagaState s = t.rules.cancel(t.authorized(t.awaiting()), LATER).state();
                        s = t.rules.paymentReply(s, paymentReply(PaymentReplyType.VOIDED), LATER).state();
                        return t.rules.paymentReply(s, paymentReply(PaymentReplyType.VOIDED), LATER);
                    }),
                    Arguments.of("Refunded twice", (Function<SagaRulesTest, SagaStep>) t -> {
                        SagaState s = t.rules.cancel(t.confirmed(), LATER).state();
                        s = t.rules.paymentReply(s, paymentReply(PaymentReplyType.REFUNDED), LATER).state();
                        return t.rules.paymentReply(s, paymentReply(PaymentReplyType.REFUNDED), LATER);
                    }));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("outOfStep")
        void shouldChangeNothingWhenAReplyIsADuplicateOrOutOfStep(String which,
                                                                 Function<SagaRulesTest, SagaStep> replay) {
            // Given / When
            SagaStep step = replay.apply(SagaRulesTest.this);

            // Then
            assertThat(step.changed()).isFalse();
            assertThat(step.statusChanges()).isEmpty();
            assertThat(step.paymentCommands()).isEmpty();
            assertThat(step.inventoryCommands()).isEmpty();
        }

        @Test
        void shouldReturnTheSameInstanceWhenAReplyIsADuplicate() {
            // Given
            SagaState state = reserved(awaiting(), "s1");

            // When
            SagaStep step = rules.inventoryReply(state, inventoryReply("s1", InventoryReplyType.RESERVED), LATER);

            // Then
            assertThat(step.state()).isSameAs(state);
            assertThat(step).isEqualTo(SagaStep.unchanged(state));
        }
    }

    @Nested
    class CopySemantics {
        static Stream<Arguments> everyKindOfInput() {
            return Stream.of(
                    Arguments.of("Reserved", (Input) (r, s) ->
                            r.inventoryReply(s, inventoryReply("s1", InventoryReplyType.RESERVED), LATER)),
                    Arguments.of("Rejected", (Input) (r, s) ->
                            r.inventoryReply(s, inventoryReply("s1", InventoryReplyType.REJECTED), LATER)),
                    Arguments.of("Authorized", (Input) (r, s) ->
                            r.paymentReply(s, paymentReply(PaymentReplyType.AUTHORIZED), LATER)),
                    Arguments.of("Declined", (Input) (r, s) ->
                            r.paymentReply(s, paymentReply(PaymentReplyType.DECLINED), LATER)),
                    Arguments.of("cancel", (Input) (r, s) -> r.cancel(s, LATER)),
                    Arguments.of("deadline", (Input) (r, s) -> r.deadline(s, s.getDeadline())));
        }

        interface Input {
            SagaStep apply(SagaRules rules, SagaState state);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("everyKindOfInput")
        void shouldNeverMutateTheInputStateWhenAnInputIsApplied(String which, Input input) {
            // Given: a partly granted order, and a confirmed one
            List<SagaState> givens = new ArrayList<>(List.of(
                    authorized(reserved(rules.place(ORDER, order(line("s1", 2, 10), line("s2", 1, 10),
                            line("s3", 4, 10)), T0).state(), "s2")),
                    confirmed()));

            for (SagaState given : givens) {
                SagaState before = snapshot(given);

                // When
                SagaStep step = input.apply(rules, given);

                // Then
                assertThat(given).isEqualTo(before);
                if (step.changed()) {
                    assertThat(step.state()).isNotSameAs(given);
                    assertThat(step.state().getLines()).isNotSameAs(given.getLines());
                    for (int i = 0; i < given.getLines().size(); i++) {
                        assertThat(step.state().getLines().get(i)).isNotSameAs(given.getLines().get(i));
                    }
                }
            }
        }
    }

    @Test
    void shouldNumberStatusVersionsWithoutGapsWhenAnOrderGoesFromPlacementToRefund() {
        // Given
        List<OrderStatusChanged> all = new ArrayList<>();
        SagaStep step = rules.place(ORDER, twoLineOrder(), T0);
        all.addAll(step.statusChanges());

        // When
        for (Function<SagaState, SagaStep> input : List.<Function<SagaState, SagaStep>>of(
                s -> rules.inventoryReply(s, inventoryReply("s1", InventoryReplyType.RESERVED), LATER),
                s -> rules.inventoryReply(s, inventoryReply("s2", InventoryReplyType.RESERVED), LATER),
                s -> rules.paymentReply(s, paymentReply(PaymentReplyType.AUTHORIZED), LATER),
                s -> rules.cancel(s, LATER),
                s -> rules.paymentReply(s, paymentReply(PaymentReplyType.REFUNDED), LATER),
                s -> rules.inventoryReply(s, inventoryReply("s1", InventoryReplyType.RELEASED), LATER),
                s -> rules.inventoryReply(s, inventoryReply("s2", InventoryReplyType.RELEASED), LATER))) {
            step = input.apply(step.state());
            all.addAll(step.statusChanges());
        }

        // Then
        assertThat(all).extracting(OrderStatusChanged::getStatus).containsExactly(OrderStatus.PLACED,
                OrderStatus.AWAITING, OrderStatus.CONFIRMED, OrderStatus.COMPENSATING, OrderStatus.CANCELLED);
        assertThat(all).extracting(OrderStatusChanged::getVersion).containsExactly(1, 2, 3, 4, 5);
        assertThat(all).extracting(OrderStatusChanged::getPreviousStatus).containsExactly(null,
                OrderStatus.PLACED, OrderStatus.AWAITING, OrderStatus.CONFIRMED, OrderStatus.COMPENSATING);
        assertThat(step.state().getVersion()).isEqualTo(5);
        assertThat(SagaRules.isTerminal(step.state().getStatus())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(OrderStatus.class)
    void shouldCallOnlyConfirmedAndCancelledTerminalWhenAskedAboutAStatus(OrderStatus status) {
        // Given / When / Then
        assertThat(SagaRules.isTerminal(status))
                .isEqualTo(status == OrderStatus.CONFIRMED || status == OrderStatus.CANCELLED);
    }
}
