package io.orderflow.domain;

import io.orderflow.contracts.CancelReason;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.StatusEntry;
import io.orderflow.contracts.state.StatusWindow;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

import static io.orderflow.domain.DomainFixtures.CUSTOMER;
import static io.orderflow.domain.DomainFixtures.EUR;
import static io.orderflow.domain.DomainFixtures.statusChange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ViewsTest {
    private static final OrderStatusChanged PLACED = statusChange("o1", OrderStatus.PLACED, null, null, 1, 3000);
    private static final OrderStatusChanged AWAITING =
            statusChange("o1", OrderStatus.AWAITING, OrderStatus.PLACED, null, 2, 3000);
    private static final OrderStatusChanged CONFIRMED =
            statusChange("o1", OrderStatus.CONFIRMED, OrderStatus.AWAITING, null, 3, 3000);
    private static final OrderStatusChanged REFUNDING =
            statusChange("o1", OrderStatus.COMPENSATING, OrderStatus.CONFIRMED, CancelReason.CUSTOMER, 4, 3000);
    private static final OrderStatusChanged REFUNDED =
            statusChange("o1", OrderStatus.CANCELLED, OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 5, 3000);

    private static <V> V fold(V initial, List<OrderStatusChanged> changes,
                              BiFunction<V, OrderStatusChanged, V> f) {
        V value = initial;
        for (OrderStatusChanged change : changes) {
            value = f.apply(value, change);
        }
        return value;
    }

    @Nested
    class OrderViews {
        @Test
        void shouldCreateTheViewWithOneHistoryEntryWhenTheFirstChangeArrives() {
            // Given / When
            OrderView view = Views.order(null, PLACED);

            // Then
            assertThat(view.getOrderId()).isEqualTo("o1");
            assertThat(view.getCustomerId()).isEqualTo(CUSTOMER);
            assertThat(view.getStatus()).isEqualTo(OrderStatus.PLACED);
            assertThat(view.getReason()).isNull();
            assertThat(view.getVersion()).isEqualTo(1);
            assertThat(view.getTotal()).isEqualTo(3000L);
            assertThat(view.getCurrency()).isEqualTo(EUR);
            assertThat(view.getLines()).isEqualTo(PLACED.getLines());
            assertThat(view.getPlacedAt()).isEqualTo(PLACED.getPlacedAt());
            assertThat(view.getHistory()).extracting(StatusEntry::getStatus, StatusEntry::getVersion, StatusEntry::getAt)
                    .containsExactly(tuple(OrderStatus.PLACED, 1, PLACED.getChangedAt()));
        }

        @Test
        void shouldKeepTheNoteWhenALaterChangeHasNone() {
            // Given the first change with a note, the later ones as a release without notes writes them
            OrderStatusChanged placed = OrderStatusChanged.newBuilder(PLACED).setNote("Ring twice").build();

            // When
            OrderView first = Views.order(null, placed);
            OrderView last = fold(first, List.of(AWAITING, CONFIRMED), Views::order);

            // Then
            assertThat(first.getNote()).isEqualTo("Ring twice");
            assertThat(last.getNote()).isEqualTo("Ring twice");
            assertThat(Views.order(null, PLACED).getNote()).isNull();
        }

        @Test
        void shouldAppendToTheHistoryAndTakeTheLatestStatusWhenChangesFollow() {
            // Given / When
            OrderView view = fold(null, List.of(PLACED, AWAITING, CONFIRMED, REFUNDING, REFUNDED), Views::order);

            // Then
            assertThat(view.getStatus()).isEqualTo(OrderStatus.CANCELLED);
            assertThat(view.getReason()).isEqualTo(CancelReason.CUSTOMER);
            assertThat(view.getVersion()).isEqualTo(5);
            assertThat(view.getHistory()).extracting(StatusEntry::getStatus, StatusEntry::getReason,
                            StatusEntry::getVersion)
                    .containsExactly(
                            tuple(OrderStatus.PLACED, null, 1),
                            tuple(OrderStatus.AWAITING, null, 2),
                            tuple(OrderStatus.CONFIRMED, null, 3),
                            tuple(OrderStatus.COMPENSATING, CancelReason.CUSTOMER, 4),
                            tuple(OrderStatus.CANCELLED, CancelReason.CUSTOMER, 5));
        }

        @Test
        void shouldReturnTheSameViewWhenAChangeIsADuplicateOrOlder() {
            // Given
            OrderView view = fold(null, List.of(PLACED, AWAITING, CONFIRMED), Views::order);

            // When / Then
            assertThat(Views.order(view, CONFIRMED)).isSameAs(view);
            assertThat(Views.order(view, AWAITING)).isSameAs(view);
            assertThat(Views.order(view, PLACED)).isSameAs(view);
            assertThat(view.getHistory()).hasSize(3);
        }

        @Test
        void shouldNotMutateThePreviousViewWhenAChangeIsApplied() {
            // Given
            OrderView view = Views.order(null, PLACED);
            OrderView before = OrderView.newBuilder(view).build();

            // When
            OrderView next = Views.order(view, AWAITING);

            // Then
            assertThat(view).isEqualTo(before);
            assertThat(next.getHistory()).hasSize(2);
        }
    }

    @Nested
    class CustomerSummaries {
        @Test
        void shouldCountTheOrderUnderItsCurrentStatusWhenItMovesOn() {
            // Given / When
            CustomerOrders summary = fold(null, List.of(PLACED, AWAITING), Views::customer);

            // Then
            assertThat(summary.getCustomerId()).isEqualTo(CUSTOMER);
            assertThat(summary.getCountsByStatus()).containsExactly(Map.entry("AWAITING", 1L));
            assertThat(summary.getRecentOrderIds()).containsExactly("o1");
            assertThat(summary.getSpent()).doesNotContainKey(EUR);
        }

        @Test
        void shouldCountTheTotalAsSpentWhenTheOrderIsConfirmed() {
            // Given / When
            CustomerOrders summary = fold(null, List.of(PLACED, AWAITING, CONFIRMED), Views::customer);

            // Then
            assertThat(summary.getCountsByStatus()).containsExactly(Map.entry("CONFIRMED", 1L));
            assertThat(summary.getSpent()).containsExactly(Map.entry(EUR, 3000L));
        }

        @Test
        void shouldNoLongerCountTheTotalAsSpentWhenTheOrderLeavesConfirmed() {
            // Given / When
            CustomerOrders compensating = fold(null, List.of(PLACED, AWAITING, CONFIRMED, REFUNDING),
                    Views::customer);
            CustomerOrders cancelled = Views.customer(compensating, REFUNDED);

            // Then
            assertThat(compensating.getSpent().getOrDefault(EUR, 0L)).isZero();
            assertThat(compensating.getCountsByStatus()).containsExactly(Map.entry("COMPENSATING", 1L));
            assertThat(cancelled.getSpent().getOrDefault(EUR, 0L)).isZero();
            assertThat(cancelled.getCountsByStatus()).containsExactly(Map.entry("CANCELLED", 1L));
            assertThat(cancelled.getRecentOrderIds()).containsExactly("o1");
        }

        @Test
        void shouldKeepCountsPerStatusWhenSeveralOrdersAreInFlight() {
            // Given
            OrderStatusChanged o2Placed = statusChange("o2", OrderStatus.PLACED, null, null, 1, 500);
            OrderStatusChanged o2Awaiting = statusChange("o2", OrderStatus.AWAITING, OrderStatus.PLACED, null, 2,
                    500);

            // When
            CustomerOrders summary = fold(null, List.of(PLACED, AWAITING, CONFIRMED, o2Placed, o2Awaiting),
                    Views::customer);

            // Then
            assertThat(summary.getCountsByStatus())
                    .containsOnly(Map.entry("CONFIRMED", 1L), Map.entry("AWAITING", 1L));
            assertThat(summary.getRecentOrderIds()).containsExactly("o2", "o1");
            assertThat(summary.getSpent()).containsExactly(Map.entry(EUR, 3000L));
        }

        @Test
        void shouldKeepOnlyTheTwentyNewestOrdersWhenMoreArePlaced() {
            // Given
            List<OrderStatusChanged> placements = IntStream.rangeClosed(1, 25)
                    .mapToObj(i -> statusChange("o" + i, OrderStatus.PLACED, null, null, 1, 10)).toList();

            // When
            CustomerOrders summary = fold(null, placements, Views::customer);

            // Then
            assertThat(summary.getRecentOrderIds()).hasSize(Views.RECENT_ORDERS);
            assertThat(summary.getRecentOrderIds().get(0)).isEqualTo("o25");
            assertThat(summary.getRecentOrderIds().get(Views.RECENT_ORDERS - 1)).isEqualTo("o6");
            assertThat(summary.getCountsByStatus()).containsExactly(Map.entry("PLACED", 25L));
        }

        @Test
        void shouldNotMutateThePreviousSummaryWhenAChangeIsApplied() {
            // Given
            CustomerOrders summary = fold(null, List.of(PLACED, AWAITING), Views::customer);
            CustomerOrders before = CustomerOrders.newBuilder(summary).build();

            // When
            Views.customer(summary, CONFIRMED);

            // Then
            assertThat(summary).isEqualTo(before);
        }
    }

    @Nested
    class Windows {
        @Test
        void shouldCountEveryOrderEnteringTheStatusAndSumItsTotalPerCurrency() {
            // Given
            OrderStatusChanged usd = OrderStatusChanged.newBuilder(CONFIRMED).setOrderId("o2").setCurrency("USD")
                    .setTotal(700).build();
            OrderStatusChanged eur = statusChange("o3", OrderStatus.CONFIRMED, OrderStatus.AWAITING, null, 3, 250);

            // When
            StatusWindow window = fold(null, List.of(CONFIRMED, usd, eur), Views::window);

            // Then
            assertThat(window.getCount()).isEqualTo(3L);
            assertThat(window.getAmounts()).containsOnly(Map.entry(EUR, 3250L), Map.entry("USD", 700L));
        }

        @Test
        void shouldNotMutateThePreviousWindowWhenAChangeIsApplied() {
            // Given
            StatusWindow window = Views.window(null, CONFIRMED);
            StatusWindow before = StatusWindow.newBuilder(window).build();

            // When
            StatusWindow next = Views.window(window, CONFIRMED);

            // Then
            assertThat(window).isEqualTo(before);
            assertThat(next.getCount()).isEqualTo(2L);
            assertThat(next.getAmounts()).containsExactly(Map.entry(EUR, 6000L));
        }
    }
}
