package io.orderflow.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.PaymentReply;
import io.orderflow.contracts.PaymentReplyType;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.contracts.state.Account;
import io.orderflow.contracts.state.CustomerOrders;
import io.orderflow.contracts.state.OrderView;
import io.orderflow.contracts.state.Stock;
import io.orderflow.domain.Views;
import io.orderflow.topology.Topics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.orderflow.invariants.ScenarioLog.line;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the checker can fail: each test breaks one rule in an otherwise consistent hand-made log and expects
 * exactly that invariant — and only that one — to be reported, naming the key.
 */
class InvariantCheckerTest {

    /** Two skus, two customers; o1 confirmed, o2 confirmed then refunded, o3 invalid, o4 declined. */
    private static ScenarioLog consistent() {
        return new ScenarioLog()
                .adjust("a1", "s1", 10)
                .adjust("a2", "s2", 5)
                .deposit("d1", "c1", 100_000)
                .deposit("d2", "c2", 500)
                .confirmed("o1", "c1", line("s1", 2, 1250), line("s2", 1, 3000))
                .confirmed("o2", "c1", line("s1", 1, 1000))
                .refunded("o2")
                .invalid("o3", "c1", line("s1", -1, 100))
                .declined("o4", "c2", line("s2", 1, 900))
                .unreadableOrderEvent(true);
    }

    @Test
    void shouldPassWhenLogIsConsistent() throws Exception {
        // Given
        EventLog log = consistent().build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.orders()).isEqualTo(4);
        assertThat(report.result(Invariant.TERMINAL).checked()).isEqualTo(4);
        assertThat(report.result(Invariant.STOCK).checked()).isEqualTo(2);
        assertThat(report.result(Invariant.MONEY).checked()).isEqualTo(2);
        assertThat(report.result(Invariant.NO_OPEN_TRANSACTIONS).status())
                .isEqualTo(InvariantResult.Status.NOT_CHECKED);
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("orders").asInt()).isEqualTo(4);
        assertThat(json.at("/invariants/TERMINAL/ok").asBoolean()).isTrue();
        assertThat(json.at("/invariants/TERMINAL/checked").asInt()).isEqualTo(4);
        assertThat(json.at("/invariants/NO_OPEN_TRANSACTIONS/status").asText()).isEqualTo("NOT_CHECKED");
        assertThat(report.toJson()).doesNotContain("\n");
        assertThat(report.toString()).contains("Invariants: OK", "TERMINAL", "NOT_CHECKED");
    }

    @Test
    void shouldReportDuplicateWhenStatusVersionIsRepeated() {
        // Given o1's CONFIRMED (v3) written twice
        ScenarioLog scenario = consistent();
        scenario.statuses.add(3, scenario.statuses.get(2));
        EventLog log = scenario.build();
        // the read model folds the topic as it is, so it stays consistent with the duplicate

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.CONTIGUOUS_VERSIONS);
        Violation violation = report.violations(Invariant.CONTIGUOUS_VERSIONS).get(0);
        assertThat(violation.key()).isEqualTo("o1");
        assertThat(violation.at()).isEqualTo(Coordinates.of(Topics.ORDER_STATUS.name(), 0, 3));
        assertThat(violation.expected()).isEqualTo("v4");
        assertThat(violation.found()).isEqualTo("v3 again");
    }

    @Test
    void shouldReportGapWhenStatusVersionIsMissing() {
        // Given o2's COMPENSATING (v4) lost
        ScenarioLog scenario = consistent();
        scenario.statuses.removeIf(s -> s.getOrderId().equals("o2") && s.getVersion() == 4);
        EventLog log = scenario.build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then the gap is reported, and the jump CONFIRMED -> CANCELLED too
        assertThat(report.ok()).isFalse();
        assertThat(report.violations(Invariant.CONTIGUOUS_VERSIONS)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("o2");
            assertThat(v.expected()).isEqualTo("v4");
            assertThat(v.found()).isEqualTo("v5");
        });
        assertThat(report.violations(Invariant.TERMINAL)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("previousStatus"));
    }

    @Test
    void shouldReportOrderWithoutTerminalStatusWhenSagaStopsAwaiting() {
        // Given o5 placed and left AWAITING, its hold and reservation still in place
        ScenarioLog scenario = consistent().stuck("o5", "c1", line("s1", 1, 100));
        EventLog log = scenario.build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.TERMINAL);
        assertThat(report.violations(Invariant.TERMINAL)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("o5");
            assertThat(v.expected()).isEqualTo("CONFIRMED or CANCELLED");
            assertThat(v.found()).isEqualTo("AWAITING (v2)");
            assertThat(v.at()).isEqualTo(Coordinates.of(Topics.ORDER_STATUS.name(), 0, 15));
        });
    }

    @Test
    void shouldReportStatusAfterCancelledWhenOrderComesBackToLife() {
        // Given o3 (CANCELLED as invalid) is later CONFIRMED
        ScenarioLog scenario = consistent();
        scenario.status("o3", OrderStatus.CONFIRMED, OrderStatus.CANCELLED, null, 3);
        EventLog log = scenario.build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertThat(report.violations(Invariant.TERMINAL)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("o3");
            assertThat(v.detail()).contains("nothing may follow CANCELLED");
        });
    }

    @Test
    void shouldReportWrongOnHandWhenSkuIsOversold() {
        // Given s1 ends with less stock than adjustments minus confirmed lines — units left twice
        EventLog log = consistent().build();
        Stock s1 = Stock.newBuilder(log.stock().get("s1")).setOnHand(-2L).build();
        log.putStock("s1", s1);

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.STOCK);
        assertThat(report.violations(Invariant.STOCK)).extracting(Violation::key).containsOnly("s1");
        assertThat(report.violations(Invariant.STOCK)).extracting(Violation::detail)
                .anySatisfy(d -> assertThat(d).contains("final onHand differs"))
                .anySatisfy(d -> assertThat(d).contains("onHand is negative"));
        assertThat(report.violations(Invariant.STOCK).get(0).expected()).startsWith("onHand 8 ");
        assertThat(report.violations(Invariant.STOCK).get(0).found()).isEqualTo("onHand -2");
    }

    @Test
    void shouldReportLeftoverReservationWhenStockKeepsOne() {
        // Given s2 still holds a reservation for o4, which is long cancelled
        EventLog log = consistent().build();
        Stock s2 = Stock.newBuilder(log.stock().get("s2")).build();
        s2.getReservations().put("o4", 1);
        log.putStock("s2", s2);

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.STOCK);
        assertThat(report.violations(Invariant.STOCK)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("s2");
            assertThat(v.detail()).contains("reservation of order o4 outlives its saga (order is CANCELLED)");
        });
    }

    @Test
    void shouldReportLeftoverReservedTotalWhenStockKeepsOne() {
        // Given s2's reserved total still counts 3 units, though every saga is over
        EventLog log = consistent().build();
        log.putStock("s2", Stock.newBuilder(log.stock().get("s2")).setReserved(3L).build());

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.STOCK);
        assertThat(report.violations(Invariant.STOCK)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("s2");
            assertThat(v.detail()).contains("a reserved total outlives the sagas");
            assertThat(v.found()).isEqualTo("reserved 3");
        });
    }

    @Test
    void shouldReportDoubleCaptureWhenOrderIsCapturedTwice() {
        // Given o1 captured a second time, the account debited twice
        ScenarioLog scenario = consistent();
        PaymentReply first = scenario.paymentReplies.stream()
                .filter(r -> r.getOrderId().equals("o1") && r.getType() == PaymentReplyType.CAPTURED)
                .findFirst().orElseThrow();
        scenario.paymentReplies.add(PaymentReply.newBuilder(first).setEventId("o1:captured:again").build());
        Account c1 = scenario.accounts.get("c1");
        c1.setBalance(c1.getBalance() - first.getAmount());
        EventLog log = scenario.build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.MONEY);
        assertThat(report.violations(Invariant.MONEY)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("o1");
            assertThat(v.detail()).contains("captured more than once");
            assertThat(v.found()).isEqualTo("2 captures");
        });
    }

    @Test
    void shouldReportBalanceMismatchWhenAccountDiffers() {
        // Given c1 ends with 1 cent more than deposits - captured + refunded
        EventLog log = consistent().build();
        Account c1 = log.accounts().get("c1");
        log.putAccount("c1", Account.newBuilder(c1).setBalance(c1.getBalance() + 1).build());

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.MONEY);
        assertThat(report.violations(Invariant.MONEY)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("c1");
            assertThat(v.expected()).isEqualTo("balance 94500 (deposits 100000 - captured 6500 + refunded 1000)");
            assertThat(v.found()).isEqualTo("balance 94501");
        });
    }

    @Test
    void shouldReportLeftoverHoldWhenAccountKeepsOne() {
        // Given c2 still holds money for o4
        EventLog log = consistent().build();
        Account c2 = Account.newBuilder(log.accounts().get("c2")).build();
        c2.getHolds().put("o4", 400L);
        log.putAccount("c2", c2);

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.MONEY);
        assertThat(report.violations(Invariant.MONEY)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("c2");
            assertThat(v.detail()).contains("hold for order o4 outlives its saga");
        });
    }

    @Test
    void shouldReportLeftoverHeldTotalWhenAccountKeepsOne() {
        // Given c2's held total still counts 400, though every saga is over
        EventLog log = consistent().build();
        log.putAccount("c2", Account.newBuilder(log.accounts().get("c2")).setHeld(400L).build());

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.MONEY);
        assertThat(report.violations(Invariant.MONEY)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("c2");
            assertThat(v.detail()).contains("a held total outlives the sagas (no order's replies show an open hold)");
            assertThat(v.expected()).isEqualTo("held 0");
            assertThat(v.found()).isEqualTo("held 400");
        });
    }

    @Test
    void shouldNameTheOrderWhenAHeldTotalIsLeftByAnAuthorizationNeverSettled() {
        // Given o5 authorized 100 on c1 and stopped AWAITING, its hold still in c1's total
        ScenarioLog scenario = consistent().stuck("o5", "c1", line("s1", 1, 100));
        scenario.payment("o5", PaymentReplyType.AUTHORIZED, 100L);
        scenario.accounts.get("c1").setHeld(100L);
        EventLog log = scenario.build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertThat(report.violations(Invariant.MONEY)).anySatisfy(v -> {
            assertThat(v.key()).isEqualTo("c1");
            assertThat(v.detail()).contains("a held total outlives the sagas (authorized and never captured or "
                    + "voided for [o5])");
            assertThat(v.found()).isEqualTo("held 100");
        });
    }

    @Test
    void shouldReportReadModelWhenViewDiffersFromReplay() {
        // Given orders-view says o1 is CANCELLED, and c1's summary lost its spending
        EventLog log = consistent().build();
        log.putOrderView("o1", OrderView.newBuilder(log.orderViews().get("o1")).setStatus(OrderStatus.CANCELLED)
                .build());
        CustomerOrders c1 = CustomerOrders.newBuilder(log.customerOrders().get("c1")).build();
        c1.getSpent().clear();
        log.putCustomerOrders("c1", c1);

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.READ_MODELS);
        assertThat(report.violations(Invariant.READ_MODELS)).extracting(Violation::key).containsExactly("o1", "c1");
        assertThat(report.violations(Invariant.READ_MODELS).get(0).expected()).isEqualTo("status=CONFIRMED");
        assertThat(report.violations(Invariant.READ_MODELS).get(0).found()).isEqualTo("status=CANCELLED");
    }

    @Test
    void shouldReportUnreadableOutputWhenRecordCannotBeRead() {
        // Given
        EventLog log = consistent().build();
        log.addUnreadableOutput(Coordinates.of(Topics.ORDER_STATUS.name(), 0, 99), "o9", "not Avro");

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.UNREADABLE_OUTPUT);
        assertThat(report.violations(Invariant.UNREADABLE_OUTPUT)).singleElement().satisfies(v -> {
            assertThat(v.key()).isEqualTo("o9");
            assertThat(v.at()).hasToString("order.status-0@99");
        });
    }

    @Test
    void shouldReportUnreadableIngressWhenItWasNotDeadLettered() {
        // Given a malformed order event that vanished without a dead letter
        EventLog log = consistent().unreadableOrderEvent(false).build();

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertOnlyViolated(report, Invariant.DEAD_LETTERED);
        assertThat(report.violations(Invariant.DEAD_LETTERED)).singleElement()
                .satisfies(v -> assertThat(v.at()).hasToString("order.events-0@6"));
    }

    @Test
    void shouldIgnoreDuplicatesAndDeadLettersWhenComputingExpectations() {
        // Given a re-sent deposit (same eventId), a refused adjustment, its re-send, and a mis-keyed order
        ScenarioLog scenario = consistent()
                .duplicateDeposit("d1", "c1", 100_000)
                .rejectedAdjustment("a3", "s1", -100, "VERSION_CONFLICT")
                .misKeyedOrder("other", "o6", "c1", line("s1", 1, 100));
        EventLog log = scenario.build();
        log.addAdjustment(Coordinates.of(Topics.INVENTORY_ADJUSTMENTS.name(), 0, 3), "s1",
                new StockAdjusted("a3", "s1", -100, "shrinkage", null));

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then none of them counts: balances, stock and orders are as without them
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.orders()).isEqualTo(4);
    }

    @Test
    void shouldReportOpenTransactionsWhenCallerAddsThem() {
        // Given
        InvariantReport report = InvariantChecker.check(consistent().build());

        // When
        InvariantReport withBroker = report.with(InvariantResult.of(Invariant.NO_OPEN_TRANSACTIONS, 9, List.of(
                new Violation("order.status-3", null, "LSO = end offset", "LSO 10 < end 12", "open transaction"))));

        // Then
        assertThat(report.ok()).isTrue();
        assertThat(withBroker.ok()).isFalse();
        assertThat(withBroker.result(Invariant.NO_OPEN_TRANSACTIONS).checked()).isEqualTo(9);
        assertThat(withBroker.toJson()).contains("\"NO_OPEN_TRANSACTIONS\":{\"ok\":false");
    }

    @Test
    void shouldListAtMostTenViolationsWhenManyOrdersAreStuck() {
        // Given
        ScenarioLog scenario = consistent();
        for (int i = 0; i < 25; i++) {
            scenario.stuck("stuck-" + i, "c1", line("s1", 1, 1));
        }

        // When
        InvariantReport report = InvariantChecker.check(scenario.build());

        // Then
        assertThat(report.result(Invariant.TERMINAL).violationCount()).isEqualTo(25);
        assertThat(report.violations(Invariant.TERMINAL)).hasSize(InvariantResult.MAX_LISTED);
        assertThat(report.toString()).contains("… and 15 more");
    }

    @Test
    void shouldAcceptAnyInterleavingWhenStatusSpansPartitions() {
        // Given c1's orders on two partitions of order.status, the view folded in one possible interleaving
        ScenarioLog scenario = new ScenarioLog().adjust("a1", "s1", 100).deposit("d1", "c1", 100_000);
        for (int i = 0; i < 30; i++) {
            scenario.invalid("o" + i, "c1", line("s1", 0, 1));
        }
        EventLog log = new EventLog();
        List<OrderStatusChanged> even = new ArrayList<>();
        List<OrderStatusChanged> odd = new ArrayList<>();
        for (OrderStatusChanged change : scenario.statuses) {
            (Integer.parseInt(change.getOrderId().substring(1)) % 2 == 0 ? even : odd).add(change);
        }
        CustomerOrders folded = null;
        for (OrderStatusChanged change : scenario.statuses) { // interleaved by order number
            folded = Views.customer(folded, change);
            log.putOrderView(change.getOrderId(), Views.order(
                    log.orderViews().get(change.getOrderId()), change));
        }
        for (int i = 0; i < even.size(); i++) { // read partition by partition
            log.addStatus(Coordinates.of(Topics.ORDER_STATUS.name(), 0, i), even.get(i).getOrderId(), even.get(i));
        }
        for (int i = 0; i < odd.size(); i++) {
            log.addStatus(Coordinates.of(Topics.ORDER_STATUS.name(), 1, i), odd.get(i).getOrderId(), odd.get(i));
        }
        log.putCustomerOrders("c1", folded);

        // When
        InvariantReport report = InvariantChecker.check(log);

        // Then
        assertThat(report.result(Invariant.READ_MODELS).ok()).as(report.toString()).isTrue();

        // and When the recent list is not newest-first
        CustomerOrders shuffled = CustomerOrders.newBuilder(folded).build();
        Collections.swap(shuffled.getRecentOrderIds(), 0, 2);
        log.putCustomerOrders("c1", shuffled);

        // Then
        assertThat(InvariantChecker.check(log).violations(Invariant.READ_MODELS)).singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("recentOrderIds is not newest-first"));
    }

    private static void assertOnlyViolated(InvariantReport report, Invariant invariant) {
        assertThat(report.ok()).as(report.toString()).isFalse();
        for (InvariantResult result : report.results().values()) {
            assertThat(result.violated()).as(result.invariant() + " in\n" + report)
                    .isEqualTo(result.invariant() == invariant);
        }
        assertThat(report.toString()).contains(invariant.name() + " — ");
        assertThat(report.toJson()).contains("\"" + invariant.name() + "\":{\"ok\":false");
    }
}
