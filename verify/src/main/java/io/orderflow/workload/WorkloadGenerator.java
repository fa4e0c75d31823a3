package io.orderflow.workload;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.Topic;
import io.orderflow.topology.Topics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * A seeded stream of ingress records for the random workload: orders over a small set of skus and customers so
 * that stock and money are contended, cancellations before and after confirmation and for unknown orders,
 * deposits and stock adjustments (with current and stale optimistic-lock versions), re-sent duplicates, invalid
 * content, unreadable bytes, keyless, misplaced and Avro-encoded records, and now and then a step of time. The same seed
 * gives the same records, given the same answers from {@code stockVersion}.
 */
public final class WorkloadGenerator {
    public static final int SKUS = 20;
    public static final int CUSTOMERS = 30;
    /** This customer never gets a deposit, so its orders are declined with UNKNOWN_ACCOUNT. */
    public static final String UNFUNDED_CUSTOMER = customer(CUSTOMERS - 1);

    /** One thing to do: pipe a record, or move time. */
    public sealed interface Step permits Pipe, Advance {
    }

    /**
     * A record for an ingress topic; {@code kind} says what the generator meant by it, for the summary. A
     * {@code misplaced} record is to be sent to a partition its key does not hash to, as a producer with another
     * partitioner (librdkafka's CRC32, an explicit partition) would; a test driver with one partition ignores it.
     */
    public record Pipe(Topic<byte[]> topic, String key, byte[] value, String kind, boolean misplaced)
            implements Step {
        public Pipe(Topic<byte[]> topic, String key, byte[] value, String kind) {
            this(topic, key, value, kind, false);
        }

        @Override
        public String toString() {
            return kind + " " + topic + " key=" + key + " " + new String(value, StandardCharsets.UTF_8);
        }
    }

    public record Advance(Duration by) implements Step {
    }

    private record Choice(int weight, Supplier<Step> step) {
    }

    private final Random random;
    private final ToLongFunction<String> stockVersion;
    private final AvroSerde<OrderEvent> orderAvro;
    private final AvroSerde<FundsDeposited> depositAvro;
    private final AvroSerde<StockAdjusted> adjustmentAvro;
    private final List<Choice> choices = new ArrayList<>();
    private final int totalWeight;
    private final Deque<Step> seeding = new ArrayDeque<>();

    private final List<String> orderIds = new ArrayList<>();
    private final List<Pipe> orders = new ArrayList<>();
    private final List<Pipe> cancels = new ArrayList<>();
    private final List<Pipe> deposits = new ArrayList<>();
    private final List<Pipe> adjustments = new ArrayList<>();
    private OrderEvent lastOrderEvent;
    private int orderSeq;
    private int eventSeq;

    /**
     * @param stockVersion the current version of a sku's stock (0 when it has none), so that some adjustments can
     *                     carry the current expectedVersion and some a stale one
     */
    public WorkloadGenerator(long seed, SchemaRegistry registry, ToLongFunction<String> stockVersion) {
        this.random = new Random(seed);
        this.stockVersion = stockVersion;
        this.orderAvro = new AvroSerde<>(OrderEvent.class, registry);
        this.depositAvro = new AvroSerde<>(FundsDeposited.class, registry);
        this.adjustmentAvro = new AvroSerde<>(StockAdjusted.class, registry);
        for (int i = 0; i < SKUS; i++) {
            seeding.add(adjustment(sku(i), 20 + random.nextInt(21), null, "seed-restock"));
        }
        for (int i = 0; i < CUSTOMERS - 1; i++) {
            seeding.add(deposit(customer(i), 20_000 + random.nextInt(40_001), "EUR", "seed-deposit"));
        }

        // orders
        choice(380, () -> order("EUR", false, "order"));
        choice(20, () -> order("USD", false, "order-usd"));
        choice(15, () -> order("EUR", true, "order-unknown-sku"));
        choice(15, this::invalidOrder);
        choice(15, () -> resend(orders, "order-resent"));
        choice(10, this::orderAgainWithNewEventId);
        choice(10, () -> keyless(order("EUR", false, "order"), "order-keyless"));
        choice(10, () -> avroOrder());
        choice(20, () -> misplaced(order("EUR", false, "order"), "order-misplaced"));
        // cancellations
        choice(60, () -> cancel(recentOrder(), true, "cancel"));
        choice(10, () -> cancel("ghost-order-" + random.nextInt(1_000_000), true, "cancel-unknown-order"));
        choice(10, () -> resend(cancels, "cancel-resent"));
        choice(5, () -> cancel(recentOrder(), false, "cancel-no-event-id"));
        // deposits
        choice(140, () -> deposit(fundedCustomer(), 5_000 + random.nextInt(55_001), "EUR", "deposit"));
        choice(15, () -> resend(deposits, "deposit-resent"));
        choice(7, () -> deposit(fundedCustomer(), -random.nextInt(1_000), "EUR", "deposit-not-positive"));
        choice(3, () -> deposit(fundedCustomer(), 10_000, "USD", "deposit-currency-mismatch"));
        choice(5, () -> withoutEventId(depositRecord(fundedCustomer(), 10_000 + random.nextInt(10_000), "EUR", "x"),
                "deposit-no-event-id"));
        choice(5, () -> keyless(depositRecord(fundedCustomer(), 10_000 + random.nextInt(10_000), "EUR", "x"),
                "deposit-keyless"));
        choice(5, this::avroDeposit);
        choice(10, () -> misplaced(deposit(fundedCustomer(), 5_000 + random.nextInt(55_001), "EUR", "x"),
                "deposit-misplaced"));
        // stock adjustments
        choice(100, () -> adjustment(anySku(), 5 + random.nextInt(26), null, "restock"));
        choice(40, () -> adjustment(anySku(), -(1 + random.nextInt(8)), null, "shrinkage"));
        choice(20, this::currentVersionAdjustment);
        choice(10, this::staleVersionAdjustment);
        choice(10, () -> resend(adjustments, "adjustment-resent"));
        choice(3, () -> adjustment(anySku(), 0, null, "adjustment-zero"));
        choice(5, () -> withoutEventId(adjustmentRecord(anySku(), 3 + random.nextInt(10), null, "x"),
                "adjustment-no-event-id"));
        choice(5, () -> keyless(adjustmentRecord(anySku(), 3 + random.nextInt(10), null, "x"),
                "adjustment-keyless"));
        choice(5, this::avroAdjustment);
        choice(10, () -> misplaced(adjustment(anySku(), 5 + random.nextInt(26), null, "x"), "adjustment-misplaced"));
        // records no processor can take as they are
        choice(12, this::unreadable);
        choice(4, this::misKeyed);
        // time
        choice(25, () -> new Advance(Duration.ofMillis(500 + random.nextInt(4_500))));
        choice(1, () -> new Advance(Duration.ofSeconds(40)));
        totalWeight = choices.stream().mapToInt(Choice::weight).sum();
    }

    public Step next() {
        if (!seeding.isEmpty()) {
            return seeding.poll();
        }
        int r = random.nextInt(totalWeight);
        for (Choice choice : choices) {
            r -= choice.weight();
            if (r < 0) {
                return choice.step().get();
            }
        }
        throw new IllegalStateException("weights do not add up");
    }

    /** How many orders the generator has placed so far (invalid ones included). */
    public int ordersPlaced() {
        return orderSeq;
    }

    /**
     * A JSON record of {@code size} bytes for an ingress topic: well-formed JSON with a field no contract has, so
     * it is unreadable wherever it is read.
     */
    public Pipe oversized(Topic<byte[]> topic, int size) {
        String head = "{\"eventId\":\"big-" + (++eventSeq) + "\",\"padding\":\"";
        String tail = "\"}";
        StringBuilder json = new StringBuilder(size).append(head);
        json.append("x".repeat(Math.max(0, size - head.length() - tail.length()))).append(tail);
        return new Pipe(topic, "big-" + eventSeq, bytes(json.toString()), "oversized");
    }

    public static String sku(int i) {
        return String.format("sku-%02d", i);
    }

    public static String customer(int i) {
        return String.format("cust-%02d", i);
    }

    // ---- orders -----------------------------------------------------------------------------------------------

    private Pipe order(String currency, boolean unknownSku, String kind) {
        String customer = customer(random.nextInt(CUSTOMERS));
        List<OrderLine> lines = new ArrayList<>();
        for (int index : distinct(1 + random.nextInt(4), SKUS)) {
            lines.add(new OrderLine(sku(index), 1 + random.nextInt(4), 100L + random.nextInt(3_901)));
        }
        if (unknownSku) {
            lines.set(random.nextInt(lines.size()), new OrderLine("ghost-sku-" + random.nextInt(3), 1, 500L));
        }
        return place(customer, currency, lines, kind);
    }

    private Pipe place(String customer, String currency, List<OrderLine> lines, String kind) {
        String orderId = "o-" + (++orderSeq);
        OrderEvent event = new OrderEvent(nextEventId("e"), orderId, new OrderPlaced(customer, currency, lines, null));
        lastOrderEvent = event;
        Pipe pipe = new Pipe(Topics.ORDER_EVENTS, orderId, IngressJson.write(event), kind);
        orderIds.add(orderId);
        orders.add(pipe);
        return pipe;
    }

    /** Well-formed records that break the order content rules: PLACED then CANCELLED(INVALID_ORDER). */
    private Pipe invalidOrder() {
        String customer = customer(random.nextInt(CUSTOMERS - 1));
        List<OrderLine> lines = new ArrayList<>();
        switch (random.nextInt(7)) {
            case 0 -> {
                for (int i = 0; i < 51; i++) {
                    lines.add(new OrderLine("bulk-" + i, 1, 10L));
                }
                return place(customer, "EUR", lines, "order-51-lines");
            }
            case 1 -> {
                lines.add(new OrderLine(sku(random.nextInt(SKUS)), -1 - random.nextInt(5), 100L));
                return place(customer, "EUR", lines, "order-negative-quantity");
            }
            case 2 -> {
                lines.add(new OrderLine(sku(random.nextInt(SKUS)), 0, 100L));
                return place(customer, "EUR", lines, "order-zero-quantity");
            }
            case 3 -> {
                lines.add(new OrderLine("no such sku!", 1, 100L));
                return place(customer, "EUR", lines, "order-invalid-sku-id");
            }
            case 4 -> {
                return place(customer, "EUR", lines, "order-no-lines");
            }
            case 5 -> {
                lines.add(new OrderLine(sku(0), 1, 100L));
                lines.add(new OrderLine(sku(0), 2, 100L));
                return place(customer, "EUR", lines, "order-sku-twice");
            }
            default -> {
                lines.add(new OrderLine(sku(random.nextInt(SKUS)), 1, 100L));
                return place(customer, "EURO", lines, "order-bad-currency");
            }
        }
    }

    /** An OrderPlaced for an order that exists, under a new eventId: a duplicate by orderId. */
    private Step orderAgainWithNewEventId() {
        if (orderIds.isEmpty()) {
            return order("EUR", false, "order");
        }
        String orderId = recentOrder();
        OrderEvent event = new OrderEvent(nextEventId("e"), orderId, new OrderPlaced(customer(0), "EUR",
                new ArrayList<>(List.of(new OrderLine(sku(0), 1, 100L))), null));
        return new Pipe(Topics.ORDER_EVENTS, orderId, IngressJson.write(event), "order-placed-again");
    }

    private Step avroOrder() {
        Pipe json = order("EUR", false, "order-avro");
        OrderEvent event = lastOrderEvent;
        Pipe avro = new Pipe(json.topic(), json.key(),
                orderAvro.serializer().serialize(Topics.ORDER_EVENTS.name(), event), json.kind());
        orders.set(orders.size() - 1, avro);
        return avro;
    }

    private Pipe cancel(String orderId, boolean withEventId, String kind) {
        OrderEvent event = new OrderEvent(withEventId ? nextEventId("x") : null, orderId, new OrderCancelRequested());
        Pipe pipe = new Pipe(Topics.ORDER_EVENTS, orderId, IngressJson.write(event), kind);
        if (withEventId) {
            cancels.add(pipe);
        }
        return pipe;
    }

    private String recentOrder() {
        if (orderIds.isEmpty()) {
            return "ghost-order-0";
        }
        int window = Math.min(orderIds.size(), 300);
        return orderIds.get(orderIds.size() - 1 - random.nextInt(window));
    }

    // ---- deposits ---------------------------------------------------------------------------------------------

    /** A deposit that may be re-sent later. */
    private Pipe deposit(String customer, long amount, String currency, String kind) {
        Pipe pipe = depositRecord(customer, amount, currency, kind);
        deposits.add(pipe);
        return pipe;
    }

    private Pipe depositRecord(String customer, long amount, String currency, String kind) {
        FundsDeposited deposit = new FundsDeposited(nextEventId("d"), customer, amount, currency);
        return new Pipe(Topics.PAYMENT_DEPOSITS, customer, IngressJson.write(deposit), kind);
    }

    private Step avroDeposit() {
        FundsDeposited deposit = new FundsDeposited(nextEventId("d"), fundedCustomer(), 5_000L + random.nextInt(5_000),
                "EUR");
        return new Pipe(Topics.PAYMENT_DEPOSITS, deposit.getCustomerId(),
                depositAvro.serializer().serialize(Topics.PAYMENT_DEPOSITS.name(), deposit), "deposit-avro");
    }

    private String fundedCustomer() {
        return customer(random.nextInt(CUSTOMERS - 1));
    }

    // ---- adjustments ------------------------------------------------------------------------------------------

    /** An adjustment that may be re-sent later. */
    private Pipe adjustment(String sku, int delta, Long expectedVersion, String kind) {
        Pipe pipe = adjustmentRecord(sku, delta, expectedVersion, kind);
        adjustments.add(pipe);
        return pipe;
    }

    private Pipe adjustmentRecord(String sku, int delta, Long expectedVersion, String kind) {
        StockAdjusted adjustment = new StockAdjusted(nextEventId("a"), sku, delta, delta >= 0 ? "restock" : "shrinkage",
                expectedVersion);
        return new Pipe(Topics.INVENTORY_ADJUSTMENTS, sku, IngressJson.write(adjustment), kind);
    }

    private Step currentVersionAdjustment() {
        String sku = anySku();
        return adjustment(sku, 5 + random.nextInt(20), stockVersion.applyAsLong(sku), "adjustment-current-version");
    }

    private Step staleVersionAdjustment() {
        String sku = anySku();
        long current = stockVersion.applyAsLong(sku);
        long stale = current > 0 ? current - 1 - random.nextInt((int) Math.min(current, 5)) : current + 3;
        return adjustment(sku, 5 + random.nextInt(20), stale, "adjustment-stale-version");
    }

    private Step avroAdjustment() {
        StockAdjusted adjustment = new StockAdjusted(nextEventId("a"), anySku(), 2 + random.nextInt(10), "restock",
                null);
        return new Pipe(Topics.INVENTORY_ADJUSTMENTS, adjustment.getSku(),
                adjustmentAvro.serializer().serialize(Topics.INVENTORY_ADJUSTMENTS.name(), adjustment),
                "adjustment-avro");
    }

    private String anySku() {
        return sku(random.nextInt(SKUS));
    }

    // ---- bad records ------------------------------------------------------------------------------------------

    private Step unreadable() {
        Topic<byte[]> topic = List.of(Topics.ORDER_EVENTS, Topics.INVENTORY_ADJUSTMENTS, Topics.PAYMENT_DEPOSITS)
                .get(random.nextInt(3));
        String key = random.nextBoolean() ? null : "key-" + random.nextInt(100);
        byte[] value;
        String kind;
        switch (random.nextInt(9)) {
            case 0 -> {
                value = bytes("{\"type\":\"OrderPlaced\",\"orderId\":");
                kind = "bad-json";
            }
            case 1 -> {
                value = new byte[1 + random.nextInt(40)];
                random.nextBytes(value);
                if (value[0] == 0) {
                    value[0] = 1; // wire-format headers have a case of their own
                }
                kind = "random-bytes";
            }
            case 2 -> {
                value = bytes("{\"eventId\":\"z1\",\"colour\":\"blue\"}");
                kind = "unknown-field";
            }
            case 3 -> {
                value = bytes("{\"eventId\":\"z2\",\"customerId\":\"cust-01\",\"amount\":\"ten\",\"currency\":\"EUR\","
                        + "\"sku\":\"sku-01\",\"delta\":\"ten\",\"orderId\":\"o-1\",\"type\":\"OrderCancelRequested\"}");
                kind = "wrong-type";
            }
            case 4 -> {
                value = new byte[0];
                kind = "empty";
            }
            case 5 -> {
                value = bytes("[1,2,3]");
                kind = "json-array";
            }
            case 7 -> {
                value = bytes("{\"type\":\"OrderPlaced\",\"eventId\":\"z3\",\"orderId\":\"o-m\"}");
                kind = "missing-fields";
            }
            case 6 -> {
                // Avro wire format with a schema id no registry here knows
                value = new byte[] {0, 0x7f, 0x13, 0x57, 0x11, 2, 4, 6};
                kind = "unknown-schema-id";
            }
            default -> {
                // Avro wire format, truncated after the schema id of a real contract
                byte[] whole = orderAvro.serializer().serialize(Topics.ORDER_EVENTS.name(), new OrderEvent("t",
                        "o-t", new OrderCancelRequested()));
                value = Arrays.copyOf(whole, 6);
                kind = "truncated-avro";
            }
        }
        return new Pipe(topic, key, value, kind);
    }

    /** A record whose key is not the id in its value: refused as INVALID. */
    private Step misKeyed() {
        return switch (random.nextInt(3)) {
            case 0 -> {
                OrderEvent event = new OrderEvent(nextEventId("e"), "o-mis-" + random.nextInt(1_000_000),
                        new OrderPlaced(customer(1), "EUR", new ArrayList<>(List.of(new OrderLine(sku(1), 1, 1L))), null));
                yield new Pipe(Topics.ORDER_EVENTS, "o-other", IngressJson.write(event), "order-mis-keyed");
            }
            case 1 -> new Pipe(Topics.PAYMENT_DEPOSITS, customer(2), IngressJson.write(new FundsDeposited(
                    nextEventId("d"), customer(3), 1_000L, "EUR")), "deposit-mis-keyed");
            default -> new Pipe(Topics.INVENTORY_ADJUSTMENTS, sku(2), IngressJson.write(new StockAdjusted(
                    nextEventId("a"), sku(3), 5, "restock", null)), "adjustment-mis-keyed");
        };
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Step resend(List<Pipe> sent, String kind) {
        if (sent.isEmpty()) {
            return new Advance(Duration.ofMillis(100));
        }
        Pipe original = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 200)));
        return new Pipe(original.topic(), original.key(), original.value(), kind);
    }

    private static Pipe keyless(Pipe pipe, String kind) {
        return new Pipe(pipe.topic(), null, pipe.value(), kind);
    }

    private static Pipe misplaced(Pipe pipe, String kind) {
        return new Pipe(pipe.topic(), pipe.key(), pipe.value(), kind, true);
    }

    /** The same record without its eventId: its coordinates are its identity. */
    private static Pipe withoutEventId(Pipe pipe, String kind) {
        String json = new String(pipe.value(), StandardCharsets.UTF_8).replaceFirst("\"eventId\":\"[^\"]*\",", "");
        return new Pipe(pipe.topic(), pipe.key(), bytes(json), kind);
    }

    private int[] distinct(int n, int bound) {
        int[] all = new int[bound];
        for (int i = 0; i < bound; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(bound - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, n);
    }

    private String nextEventId(String prefix) {
        return prefix + "-" + (++eventSeq);
    }

    private void choice(int weight, Supplier<Step> step) {
        choices.add(new Choice(weight, step));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
