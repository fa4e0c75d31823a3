package io.orderflow.domain;

import io.orderflow.contracts.InventoryCommand;
import io.orderflow.contracts.InventoryCommandType;
import io.orderflow.contracts.InventoryReply;
import io.orderflow.contracts.InventoryReplyType;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Stock;
import io.orderflow.contracts.state.StockRecord;
import io.orderflow.contracts.state.StockRecordState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.util.List;

import static io.orderflow.domain.DomainFixtures.inventoryCommand;
import static io.orderflow.domain.DomainFixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

/** Any sequence of adjustments, saga commands and replays for one sku never oversells and keeps count. */
class InventoryPropertiesTest {
    private static final String SKU = "s1";

    sealed interface Op permits Adjust, Command, Replay {
    }

    enum Lock { NONE, CURRENT, STALE }

    /** {@code staleBy} (never 0) is added to the current version when the lock is STALE. */
    record Adjust(int delta, Lock lock, int staleBy) implements Op {
    }

    record Command(int order, InventoryCommandType type, int quantity) implements Op {
    }

    /** Re-applies the {@code index mod n}-th command that was accepted so far. */
    record Replay(int index) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> adjust = Combinators.combine(
                Arbitraries.integers().between(-40, 60),
                Arbitraries.of(Lock.class),
                Arbitraries.integers().between(-3, 3).filter(i -> i != 0)).as(Adjust::new);
        Arbitrary<InventoryCommandType> type = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(InventoryCommandType.RESERVE)),
                Tuple.of(2, Arbitraries.just(InventoryCommandType.COMMIT)),
                Tuple.of(2, Arbitraries.just(InventoryCommandType.RELEASE)));
        Arbitrary<Op> command = Combinators.combine(
                Arbitraries.integers().between(0, 3),
                type,
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(-1, 0)),
                        Tuple.of(15, Arbitraries.integers().between(1, 25)))).as(Command::new);
        Arbitrary<Op> replay = Arbitraries.integers().between(0, 1_000).map(Replay::new);
        return Arbitraries.frequencyOf(Tuple.of(3, adjust), Tuple.of(8, command), Tuple.of(3, replay))
                .list().ofMaxSize(60);
    }

    @Property(tries = 1000)
    void shouldNeverOversellAndKeepCountWhateverTheSequence(@ForAll("operations") List<Op> operations) {
        // Given
        Shelf shelf = new Shelf();

        // When / Then: every invariant holds after every step
        for (Op op : operations) {
            if (op instanceof Adjust a) {
                shelf.adjust(a);
            } else if (op instanceof Command c) {
                shelf.apply(inventoryCommand("o" + c.order(), SKU, c.type(), c.quantity()));
            } else if (op instanceof Replay r) {
                shelf.replay(r.index());
            }
            shelf.assertInvariants();
        }
        Statistics.label("effects").coverage(c -> {
            for (String effect : List.of("RESERVED", "OUT_OF_STOCK", "UNKNOWN_SKU", "COMMITTED", "RELEASED",
                    "RESTOCKED", "replay", "VERSION_CONFLICT", "BELOW_RESERVED", "ILLEGAL_COMMAND", "adjusted")) {
                c.check(effect).count(n -> n > 0);
            }
        });
    }

    /** The stock under test plus an independent count of what should be on the shelf. */
    private static final class Shelf extends ServiceModel<Stock, StockRecord, InventoryCommand, InventoryReply> {
        private long adjusted;
        private long committed;
        private long restocked;

        Shelf() {
            super(DomainFixtures::snapshot);
        }

        void adjust(Adjust op) {
            Stock before = state;
            Stock copy = snapshot(before);
            long version = before == null ? 0 : before.getVersion();
            Long expected = switch (op.lock()) {
                case NONE -> null;
                case CURRENT -> version;
                case STALE -> version + op.staleBy();
            };
            StockStep step = Inventory.adjust(before, new StockAdjusted("a", SKU, op.delta(), "test", expected));
            assertThat(before).isEqualTo(copy);
            assertThat(step.reply()).isNull();
            if (op.lock() == Lock.STALE && op.delta() != 0) {
                assertThat(step.rejection()).isNotNull();
                assertThat(step.rejection().code()).isEqualTo(Rejection.VERSION_CONFLICT);
            }
            if (step.rejection() == null) {
                assertThat(op.delta()).isNotZero();
                assertThat(step.changed()).isTrue();
                assertThat(step.stock().getVersion()).isEqualTo(version + 1);
                adjusted += op.delta();
                changes++;
                state = step.stock();
                effect("adjusted");
            } else {
                effect(step.rejection().code());
                assertThat(step.changed()).isFalse();
                assertThat(step.stock()).isSameAs(before);
                long onHand = before == null ? 0 : before.getOnHand();
                long reserved = before == null ? 0 : Inventory.reserved(before);
                boolean shouldApply = op.lock() != Lock.STALE && op.delta() != 0 && onHand + op.delta() >= reserved;
                assertThat(shouldApply).as("refused %s: %s", op, step.rejection()).isFalse();
            }
        }

        @Override
        protected Step<Stock, StockRecord, InventoryReply> rule(Stock stock, StockRecord record,
                                                               InventoryCommand command) {
            StockStep step = Inventory.apply(stock, record, command);
            return new Step<>(step.stock(), step.record(), step.reply(), step.rejection(), step.changed());
        }

        @Override
        protected String orderIdOf(InventoryCommand command) {
            return command.getOrderId();
        }

        @Override
        protected long versionOf(Stock stock) {
            return stock.getVersion();
        }

        @Override
        protected String effectOf(StockRecord record) {
            return record.getReason() != null ? record.getReason().name() : record.getState().name();
        }

        @Override
        protected void checkReply(InventoryCommand command, InventoryReply reply) {
            assertThat(reply.getOrderId()).isEqualTo(command.getOrderId());
            assertThat(reply.getSku()).isEqualTo(SKU);
            assertThat(reply.getQuantity()).isEqualTo(command.getQuantity());
            assertThat(reply.getType()).isIn(expectedReplies(command.getType()));
            assertThat(reply.getReason() != null).isEqualTo(reply.getType() == InventoryReplyType.REJECTED);
        }

        @Override
        protected void book(InventoryCommand command, StockRecord before) {
            if (command.getType() == InventoryCommandType.COMMIT) {
                committed += before.getQuantity();
            } else if (command.getType() == InventoryCommandType.RELEASE
                    && before.getState() == StockRecordState.COMMITTED) {
                restocked += before.getQuantity();
            }
        }

        private static List<InventoryReplyType> expectedReplies(InventoryCommandType type) {
            return switch (type) {
                case RESERVE -> List.of(InventoryReplyType.RESERVED, InventoryReplyType.REJECTED);
                case COMMIT -> List.of(InventoryReplyType.COMMITTED);
                case RELEASE -> List.of(InventoryReplyType.RELEASED);
            };
        }

        void assertInvariants() {
            Stock stock = state;
            if (stock == null) {
                assertThat(adjusted).isZero();
                assertThat(records.values()).allMatch(r -> r.getState() == StockRecordState.REJECTED);
                return;
            }
            long reserved = Inventory.reserved(stock);
            assertThat(stock.getOnHand()).as("onHand").isGreaterThanOrEqualTo(0L);
            assertThat(stock.getOnHand()).as("no oversell: onHand >= reserved").isGreaterThanOrEqualTo(reserved);
            assertThat(Inventory.available(stock)).isEqualTo(stock.getOnHand() - reserved);
            assertThat(stock.getReservations()).as("reservations live in the total and the records alone").isEmpty();
            assertThat(stock.getOnHand()).as("onHand = adjustments - committed + restocked")
                    .isEqualTo(adjusted - committed + restocked);
            assertThat(stock.getVersion()).isEqualTo(changes);
            long expectedReserved = records.values().stream()
                    .filter(record -> record.getState() == StockRecordState.RESERVED)
                    .mapToLong(StockRecord::getQuantity).sum();
            assertThat(reserved).as("reserved = the quantities of the orders whose record is RESERVED")
                    .isEqualTo(expectedReserved);
        }
    }
}
