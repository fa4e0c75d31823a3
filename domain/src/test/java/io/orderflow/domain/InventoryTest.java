package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.stream.Stream;

import static io.orderflow.domain.DomainFixtures.adjustment;
import static io.orderflow.domain.DomainFixtures.inventoryCommand;
import static io.orderflow.domain.DomainFixtures.legacyStock;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static io.orderflow.domain.DomainFixtures.stock;
import static org.assertj.core.api.Assertions.assertThat;

class InventoryTest {
    private static final String SKU = "s1";

    private static InventoryCommand reserve(String orderId, int quantity) {
        return inventoryCommand(orderId, SKU, InventoryCommandType.RESERVE, quantity);
    }

    private static InventoryCommand command(String orderId, InventoryCommandType type) {
        return inventoryCommand(orderId, SKU, type, 3);
    }

    private static StockRecord record(StockRecordState state, int quantity) {
        return new StockRecord(state, quantity, null, null);
    }

    private static void assertRefusedWithoutEffect(StockStep step, Stock stock, StockRecord record, String code) {
        assertThat(step.rejection()).isNotNull();
        assertThat(step.rejection().code()).isEqualTo(code);
        assertThat(step.rejection().message()).isNotBlank();
        assertThat(step.changed()).isFalse();
        assertThat(step.reply()).isNull();
        assertThat(step.stock()).isSameAs(stock);
        assertThat(step.record()).isSameAs(record);
    }

    @Nested
    class Adjustments {
        @Test
        void shouldCreateTheStockWhenTheFirstRestockArrives() {
            // Given / When
            StockStep step = Inventory.adjust(null, adjustment(SKU, 100, null));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.rejection()).isNull();
            assertThat(step.reply()).isNull();
            assertThat(step.stock().getSku()).isEqualTo(SKU);
            assertThat(step.stock().getOnHand()).isEqualTo(100L);
            assertThat(step.stock().getReservations()).isEmpty();
            assertThat(step.stock().getVersion()).isEqualTo(1L);
        }

        @Test
        void shouldApplyTheDeltaWithoutTouchingTheInputWhenNoVersionIsExpected() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 4), 7);
            Stock before = snapshot(stock);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, -6, null));

            // Then
            assertThat(step.stock().getOnHand()).isEqualTo(4L);
            assertThat(step.stock().getVersion()).isEqualTo(8L);
            assertThat(Inventory.reserved(step.stock())).isEqualTo(4L);
            assertThat(stock).isEqualTo(before);
        }

        @Test
        void shouldApplyTheDeltaWhenTheExpectedVersionMatches() {
            // Given
            Stock stock = stock(SKU, 10, Map.of(), 7);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, 5, 7L));

            // Then
            assertThat(step.rejection()).isNull();
            assertThat(step.stock().getOnHand()).isEqualTo(15L);
            assertThat(step.stock().getVersion()).isEqualTo(8L);
        }

        @Test
        void shouldAcceptExpectedVersionZeroWhenTheSkuIsNew() {
            // Given / When
            StockStep step = Inventory.adjust(null, adjustment(SKU, 5, 0L));

            // Then
            assertThat(step.rejection()).isNull();
            assertThat(step.stock().getVersion()).isEqualTo(1L);
        }

        @ParameterizedTest
        @ValueSource(longs = {6, 8, 0})
        void shouldRejectWithVersionConflictWhenTheExpectedVersionIsStale(long expected) {
            // Given
            Stock stock = stock(SKU, 10, Map.of(), 7);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, 5, expected));

            // Then
            assertRefusedWithoutEffect(step, stock, null, Rejection.VERSION_CONFLICT);
            assertThat(step.rejection().message()).contains("7").contains(Long.toString(expected));
        }

        @Test
        void shouldRejectWithVersionConflictWhenTheSkuIsNewButAVersionIsExpected() {
            // Given / When
            StockStep step = Inventory.adjust(null, adjustment(SKU, 5, 1L));

            // Then
            assertRefusedWithoutEffect(step, null, null, Rejection.VERSION_CONFLICT);
        }

        @Test
        void shouldRejectWithBelowReservedWhenShrinkageWouldLeaveLessThanIsReserved() {
            // Given: 10 on hand, 4 + 3 reserved
            Stock stock = stock(SKU, 10, Map.of("o1", 4, "o2", 3), 2);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, -4, null));

            // Then
            assertRefusedWithoutEffect(step, stock, null, Rejection.BELOW_RESERVED);
        }

        @Test
        void shouldAllowShrinkageDownToExactlyWhatIsReserved() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 4, "o2", 3), 2);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, -3, null));

            // Then
            assertThat(step.stock().getOnHand()).isEqualTo(7L);
            assertThat(Inventory.available(step.stock())).isZero();
        }

        @Test
        void shouldRejectWithBelowReservedWhenShrinkageWouldMakeOnHandNegative() {
            // Given / When
            StockStep fromNothing = Inventory.adjust(null, adjustment(SKU, -1, null));
            Stock stock = stock(SKU, 2, Map.of(), 1);
            StockStep tooMuch = Inventory.adjust(stock, adjustment(SKU, -3, null));

            // Then
            assertRefusedWithoutEffect(fromNothing, null, null, Rejection.BELOW_RESERVED);
            assertRefusedWithoutEffect(tooMuch, stock, null, Rejection.BELOW_RESERVED);
        }

        @Test
        void shouldRejectTheAdjustmentWhenTheDeltaIsZero() {
            // Given
            Stock stock = stock(SKU, 2, Map.of(), 1);

            // When
            StockStep step = Inventory.adjust(stock, adjustment(SKU, 0, null));

            // Then
            assertRefusedWithoutEffect(step, stock, null, Rejection.INVALID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "s 1", "s/1"})
        void shouldRejectTheAdjustmentWhenTheSkuIsInvalid(String sku) {
            // Given / When
            StockStep step = Inventory.adjust(null, adjustment(sku, 5, null));

            // Then
            assertRefusedWithoutEffect(step, null, null, Rejection.INVALID);
            assertThat(step.rejection().message()).contains("sku");
        }
    }

    @Nested
    class Reservations {
        @Test
        void shouldReserveWhenEnoughIsAvailable() {
            // Given
            Stock stock = stock(SKU, 10, Map.of(), 1);
            Stock before = snapshot(stock);

            // When
            StockStep step = Inventory.apply(stock, null, reserve("o1", 4));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.stock().getReserved()).isEqualTo(4L);
            assertThat(step.stock().getReservations()).as("the order's reservation lives in its StockRecord alone")
                    .isEmpty();
            assertThat(step.stock().getOnHand()).isEqualTo(10L);
            assertThat(step.stock().getVersion()).isEqualTo(2L);
            assertThat(Inventory.reserved(step.stock())).isEqualTo(4L);
            assertThat(Inventory.available(step.stock())).isEqualTo(6L);
            assertThat(step.record()).isEqualTo(record(StockRecordState.RESERVED, 4));
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.RESERVED);
            assertThat(step.reply().getEventId()).isEqualTo("o1:reserved:s1");
            assertThat(step.reply().getOrderId()).isEqualTo("o1");
            assertThat(step.reply().getSku()).isEqualTo(SKU);
            assertThat(step.reply().getQuantity()).isEqualTo(4);
            assertThat(step.reply().getReason()).isNull();
            assertThat(stock).isEqualTo(before);
        }

        @Test
        void shouldReserveExactlyWhatIsLeftWhenOtherOrdersHoldTheRest() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 7), 1);

            // When
            StockStep step = Inventory.apply(stock, null, reserve("o2", 3));

            // Then
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.RESERVED);
            assertThat(Inventory.available(step.stock())).isZero();
        }

        @Test
        void shouldRejectWithOutOfStockWhenOtherReservationsLeaveTooLittle() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 7), 1);

            // When
            StockStep step = Inventory.apply(stock, null, reserve("o2", 4));

            // Then
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.REJECTED);
            assertThat(step.reply().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
            assertThat(step.record().getState()).isEqualTo(StockRecordState.REJECTED);
            assertThat(step.record().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
            assertThat(step.changed()).isTrue();
            assertThat(step.stock()).isSameAs(stock);
        }

        @Test
        void shouldRejectWithUnknownSkuWhenTheSkuHasNoStock() {
            // Given / When
            StockStep step = Inventory.apply(null, null, reserve("o1", 1));

            // Then
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.REJECTED);
            assertThat(step.reply().getReason()).isEqualTo(CancelReason.UNKNOWN_SKU);
            assertThat(step.stock()).isNull();
        }

        @ParameterizedTest
        @EnumSource(InventoryCommandType.class)
        void shouldRejectTheCommandWhenTheQuantityIsNotPositive(InventoryCommandType type) {
            // Given
            Stock stock = stock(SKU, 10, Map.of(), 1);

            // When
            StockStep zero = Inventory.apply(stock, null, inventoryCommand("o1", SKU, type, 0));
            StockStep negative = Inventory.apply(stock, null, inventoryCommand("o1", SKU, type, -1));

            // Then
            assertRefusedWithoutEffect(zero, stock, null, Rejection.INVALID);
            assertRefusedWithoutEffect(negative, stock, null, Rejection.INVALID);
        }
    }

    @Nested
    class Settlement {
        @Test
        void shouldTakeTheReservedQuantityOffTheShelfWhenCommitted() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 3, "o2", 2), 4);

            // When
            StockStep step = Inventory.apply(stock, record(StockRecordState.RESERVED, 3),
                    command("o1", InventoryCommandType.COMMIT));

            // Then
            assertThat(step.changed()).isTrue();
            assertThat(step.stock().getOnHand()).isEqualTo(7L);
            assertThat(Inventory.reserved(step.stock())).isEqualTo(2L);
            assertThat(step.stock().getVersion()).isEqualTo(5L);
            assertThat(step.record().getState()).isEqualTo(StockRecordState.COMMITTED);
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.COMMITTED);
            assertThat(step.reply().getEventId()).isEqualTo("o1:committed:s1");
        }

        @Test
        void shouldDropTheReservationWhenReleased() {
            // Given
            Stock stock = stock(SKU, 10, Map.of("o1", 3), 4);

            // When
            StockStep step = Inventory.apply(stock, record(StockRecordState.RESERVED, 3),
                    command("o1", InventoryCommandType.RELEASE));

            // Then
            assertThat(step.stock().getOnHand()).isEqualTo(10L);
            assertThat(Inventory.reserved(step.stock())).isZero();
            assertThat(step.record().getState()).isEqualTo(StockRecordState.RELEASED);
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.RELEASED);
        }

        @Test
        void shouldRestockWhenACommittedLineIsReleased() {
            // Given: 3 were committed out of 10
            Stock stock = stock(SKU, 7, Map.of(), 5);

            // When
            StockStep step = Inventory.apply(stock, record(StockRecordState.COMMITTED, 3),
                    command("o1", InventoryCommandType.RELEASE));

            // Then
            assertThat(step.stock().getOnHand()).isEqualTo(10L);
            assertThat(step.stock().getVersion()).isEqualTo(6L);
            assertThat(step.record().getState()).isEqualTo(StockRecordState.RESTOCKED);
            assertThat(step.reply().getType()).isEqualTo(InventoryReplyType.RELEASED);
        }

        static Stream<Arguments> illegal() {
            return Stream.of(
                    Arguments.of(InventoryCommandType.COMMIT, null),
                    Arguments.of(InventoryCommandType.COMMIT, StockRecordState.REJECTED),
                    Arguments.of(InventoryCommandType.COMMIT, StockRecordState.RELEASED),
                    Arguments.of(InventoryCommandType.RELEASE, null),
                    Arguments.of(InventoryCommandType.RELEASE, StockRecordState.REJECTED));
        }

        @ParameterizedTest(name = "{0} when {1}")
        @MethodSource("illegal")
        void shouldRejectTheCommandWhenTheLineIsNotInTheStateItNeeds(InventoryCommandType type,
                                                                    StockRecordState state) {
            // Given
            Stock stock = stock(SKU, 10, Map.of(), 1);
            StockRecord record = state == null ? null : record(state, 3);

            // When
            StockStep step = Inventory.apply(stock, record, command("o1", type));

            // Then
            assertRefusedWithoutEffect(step, stock, record, Rejection.ILLEGAL_COMMAND);
            assertThat(step.rejection().message()).contains(type.name()).contains("o1").contains(SKU);
        }

        @Test
        void shouldRejectASettlementWhenTheSkuHasNoStock() {
            // Given
            StockRecord record = record(StockRecordState.RESERVED, 3);

            // When
            StockStep step = Inventory.apply(null, record, command("o1", InventoryCommandType.COMMIT));

            // Then
            assertRefusedWithoutEffect(step, null, record, Rejection.ILLEGAL_COMMAND);
        }
    }

    @Nested
    class Replays {
        @Test
        void shouldReplyTheSameAndChangeNothingWhenAReservationIsReplayed() {
            // Given
            InventoryCommand command = reserve("o1", 4);
            StockStep first = Inventory.apply(stock(SKU, 10, Map.of(), 1), null, command);

            // When
            StockStep replay = Inventory.apply(first.stock(), first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.stock()).isSameAs(first.stock());
            assertThat(replay.record()).isSameAs(first.record());
            assertThat(Inventory.reserved(replay.stock())).isEqualTo(4L);
        }

        @Test
        void shouldRejectAgainWhenARejectedReservationIsReplayedAfterARestock() {
            // Given
            InventoryCommand command = reserve("o1", 4);
            StockStep first = Inventory.apply(stock(SKU, 1, Map.of(), 1), null, command);
            Stock restocked = Inventory.adjust(first.stock(), adjustment(SKU, 100, null)).stock();

            // When
            StockStep replay = Inventory.apply(restocked, first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.reply().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
            assertThat(replay.stock()).isSameAs(restocked);
        }

        static Stream<Arguments> settlements() {
            return Stream.of(
                    Arguments.of(InventoryCommandType.COMMIT, StockRecordState.RESERVED),
                    Arguments.of(InventoryCommandType.RELEASE, StockRecordState.RESERVED),
                    Arguments.of(InventoryCommandType.RELEASE, StockRecordState.COMMITTED));
        }

        @ParameterizedTest(name = "{0} from {1}")
        @MethodSource("settlements")
        void shouldReplyTheSameAndChangeNothingWhenASettlementIsReplayed(InventoryCommandType type,
                                                                        StockRecordState from) {
            // Given
            InventoryCommand command = command("o1", type);
            Stock stock = from == StockRecordState.RESERVED
                    ? stock(SKU, 10, Map.of("o1", 3), 2) : stock(SKU, 7, Map.of(), 3);
            StockStep first = Inventory.apply(stock, record(from, 3), command);
            Stock after = snapshot(first.stock());

            // When
            StockStep replay = Inventory.apply(first.stock(), first.record(), command);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.rejection()).isNull();
            assertThat(replay.reply()).isEqualTo(first.reply());
            assertThat(replay.stock()).isSameAs(first.stock());
            assertThat(replay.stock()).isEqualTo(after);
            assertThat(replay.record()).isSameAs(first.record());
        }

        @Test
        void shouldReplyCommittedWithoutTakingStockAgainWhenACommitIsReplayedAfterRestock() {
            // Given
            InventoryCommand commit = command("o1", InventoryCommandType.COMMIT);
            StockStep committed = Inventory.apply(stock(SKU, 10, Map.of("o1", 3), 2),
                    record(StockRecordState.RESERVED, 3), commit);
            StockStep restocked = Inventory.apply(committed.stock(), committed.record(),
                    command("o1", InventoryCommandType.RELEASE));

            // When
            StockStep replay = Inventory.apply(restocked.stock(), restocked.record(), commit);

            // Then
            assertThat(replay.changed()).isFalse();
            assertThat(replay.reply()).isEqualTo(committed.reply());
            assertThat(replay.stock().getOnHand()).isEqualTo(10L);
        }
    }

    /** Stock values written before the reserved total existed list each open reservation; they keep counting. */
    @Nested
    class ListedReservations {
        @Test
        void shouldCountListedReservationsAndTheTotalWhenReserving() {
            // Given: o1 holds 4 in the old form
            Stock stock = legacyStock(SKU, 10, Map.of("o1", 4), 3);

            // When
            StockStep fits = Inventory.apply(stock, null, reserve("o2", 6));
            StockStep tooMuch = Inventory.apply(stock, null, reserve("o2", 7));

            // Then
            assertThat(fits.reply().getType()).isEqualTo(InventoryReplyType.RESERVED);
            assertThat(fits.stock().getReservations()).containsExactly(Map.entry("o1", 4));
            assertThat(fits.stock().getReserved()).isEqualTo(6L);
            assertThat(Inventory.available(fits.stock())).isZero();
            assertThat(tooMuch.reply().getReason()).isEqualTo(CancelReason.OUT_OF_STOCK);
        }

        @Test
        void shouldTakeAListedReservationOutOfTheListWhenCommittedOrReleased() {
            // Given: o1 listed, o2 in the total
            Stock stock = legacyStock(SKU, 10, Map.of("o1", 4), 3);
            stock.setReserved(2L);

            // When
            StockStep committed = Inventory.apply(stock, record(StockRecordState.RESERVED, 4),
                    command("o1", InventoryCommandType.COMMIT));
            StockStep released = Inventory.apply(committed.stock(), record(StockRecordState.RESERVED, 2),
                    command("o2", InventoryCommandType.RELEASE));

            // Then
            assertThat(committed.stock().getReservations()).isEmpty();
            assertThat(committed.stock().getReserved()).isEqualTo(2L);
            assertThat(committed.stock().getOnHand()).isEqualTo(6L);
            assertThat(released.stock().getReserved()).isZero();
            assertThat(Inventory.available(released.stock())).isEqualTo(6L);
        }
    }
}
