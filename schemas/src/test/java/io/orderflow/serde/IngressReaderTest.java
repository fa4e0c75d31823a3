package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderCancelRequested;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.StockAdjusted;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IngressReaderTest {

    private final LocalSchemaRegistry registry = new LocalSchemaRegistry();
    private final IngressReader reader = new IngressReader(registry);

    @Test
    void shouldReadOrderPlacedWhenJsonMatchesTheContract() {
        // When
        OrderEvent event = reader.orderEvent(bytes(json(PLACED_EXAMPLE)));

        // Then
        assertThat(event).isEqualTo(new OrderEvent("e1", "o1",
                new OrderPlaced("c1", "EUR", List.of(new OrderLine("s1", 2, 1250L)), null)));
    }

    @Test
    void shouldReadOrderPlacedWithItsNoteWhenJsonGivesOne() {
        // When
        OrderEvent event = reader.orderEvent(bytes(json(PLACED_EXAMPLE.replace("'currency'",
                "'note':'Ring twice','currency'"))));
        OrderEvent nullNote = reader.orderEvent(bytes(json(PLACED_EXAMPLE.replace("'currency'",
                "'note':null,'currency'"))));

        // Then
        assertThat(((OrderPlaced) event.getEvent()).getNote()).isEqualTo("Ring twice");
        assertThat(((OrderPlaced) nullNote.getEvent()).getNote()).isNull();
    }

    @Test
    void shouldReadOrderCancelRequestedWhenJsonMatchesTheContract() {
        // When
        OrderEvent event = reader.orderEvent(bytes(json("{'type':'OrderCancelRequested','eventId':'e2','orderId':'o1'}")));

        // Then
        assertThat(event).isEqualTo(new OrderEvent("e2", "o1", new OrderCancelRequested()));
    }

    @Test
    void shouldReadStockAdjustedWhenJsonMatchesTheContract() {
        // When
        StockAdjusted adjustment = reader.stockAdjusted(
                bytes(json("{'eventId':'a1','sku':'s1','delta':100,'reason':'restock','expectedVersion':3}")));

        // Then
        assertThat(adjustment).isEqualTo(new StockAdjusted("a1", "s1", 100, "restock", 3L));
    }

    @Test
    void shouldReadFundsDepositedWhenJsonMatchesTheContract() {
        // When
        FundsDeposited deposit = reader.fundsDeposited(
                bytes(json("{'eventId':'d1','customerId':'c1','amount':100000,'currency':'EUR'}")));

        // Then
        assertThat(deposit).isEqualTo(new FundsDeposited("d1", "c1", 100_000L, "EUR"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'sku':'s1','delta':-5,'reason':'shrinkage'}",
        "{'eventId':null,'sku':'s1','delta':-5,'reason':'shrinkage','expectedVersion':null}",
        " \r\n\t{ 'sku' : 's1', 'delta' : -5, 'reason' : 'shrinkage' }\n"})
    void shouldLeaveOptionalFieldsNullWhenAbsentOrNull(String singleQuoted) {
        // When
        StockAdjusted adjustment = reader.stockAdjusted(bytes(json(singleQuoted)));

        // Then
        assertThat(adjustment).isEqualTo(new StockAdjusted(null, "s1", -5, "shrinkage", null));
    }

    @Test
    void shouldNotEnforceBusinessRulesWhenStructureIsValid() {
        // Given values the domain layer must reject with a reason, not the reader
        String negativeQuantity = json("{'type':'OrderPlaced','orderId':'bad id!','customerId':'','currency':'XXXX',"
                + "'lines':[{'sku':'s1','quantity':-3,'unitPrice':-1}]}");
        String noLines = json("{'type':'OrderPlaced','orderId':'o1','customerId':'c1','currency':'EUR','lines':[]}");

        // When
        OrderEvent first = reader.orderEvent(bytes(negativeQuantity));
        OrderEvent second = reader.orderEvent(bytes(noLines));

        // Then
        assertThat(first).isEqualTo(new OrderEvent(null, "bad id!",
                new OrderPlaced("", "XXXX", List.of(new OrderLine("s1", -3, -1L)), null)));
        assertThat(second.getEvent()).isEqualTo(new OrderPlaced("c1", "EUR", List.of(), null));
    }

    /** The public contract's OrderPlaced example; cases below change one thing each. */
    private static final String PLACED_EXAMPLE = "{'type':'OrderPlaced','eventId':'e1','orderId':'o1','customerId':'c1',"
            + "'currency':'EUR','lines':[{'sku':'s1','quantity':2,'unitPrice':1250}]}";

    static Stream<Arguments> brokenOrderEvents() {
        return Stream.of(
                broken("quantity as string", placed("'quantity':2", "'quantity':'2'"),
                        "field 'lines[0].quantity' must be an integer, got \"2\""),
                broken("quantity as fraction", placed("'quantity':2", "'quantity':2.5"),
                        "field 'lines[0].quantity' must be an integer, got 2.5"),
                broken("quantity in exponent form", placed("'quantity':2", "'quantity':2e0"),
                        "field 'lines[0].quantity' must be an integer"),
                broken("quantity above int range", placed("'quantity':2", "'quantity':2147483648"),
                        "field 'lines[0].quantity' must be an integer"),
                broken("quantity null", placed("'quantity':2", "'quantity':null"),
                        "field 'lines[0].quantity' must be an integer, got null"),
                broken("price with cents", placed("'unitPrice':1250", "'unitPrice':12.50"),
                        "field 'lines[0].unitPrice' must be an integer"),
                broken("price above long range", placed("'unitPrice':1250", "'unitPrice':9223372036854775808"),
                        "field 'lines[0].unitPrice' must be an integer"),
                broken("misspelt line field", placed("'quantity'", "'quantiy'"),
                        "unknown field 'lines[0].quantiy' in an order line (allowed: sku, quantity, unitPrice)"),
                broken("missing line field", placed("'quantity':2,", ""),
                        "missing required field 'lines[0].quantity'"),
                broken("line not an object", placed("{'sku':'s1','quantity':2,'unitPrice':1250}", "3"),
                        "field 'lines[0]' must be an object"),
                broken("lines not an array", placed("[{'sku':'s1','quantity':2,'unitPrice':1250}]", "{}"),
                        "field 'lines' must be an array of order lines, got an object"),
                broken("lines missing", placed(",'lines':[{'sku':'s1','quantity':2,'unitPrice':1250}]", ""),
                        "missing required field 'lines'"),
                broken("customerId as number", placed("'customerId':'c1'", "'customerId':7"),
                        "field 'customerId' must be a string, got 7"),
                broken("orderId missing", placed("'orderId':'o1',", ""),
                        "missing required field 'orderId'"),
                broken("eventId as number", placed("'eventId':'e1'", "'eventId':1"),
                        "field 'eventId' must be a string or null, got 1"),
                broken("unknown top-level field", placed("'currency'", "'notes':'x','currency'"),
                        "unknown field 'notes' for type OrderPlaced (allowed: type, eventId, orderId, customerId, "
                                + "currency, lines, note)"),
                broken("note as number", placed("'currency'", "'note':42,'currency'"),
                        "field 'note' must be a string or null, got 42"),
                broken("unknown type", placed("'OrderPlaced'", "'OrderShipped'"),
                        "unknown type 'OrderShipped' in field 'type': expected OrderPlaced or OrderCancelRequested"),
                broken("type not a string", placed("'OrderPlaced'", "1"),
                        "field 'type' must be a string, got 1"),
                broken("type missing", placed("'type':'OrderPlaced',", ""),
                        "missing required field 'type'"),
                broken("duplicate field", placed("'customerId':'c1'", "'customerId':'c1','customerId':'c2'"),
                        "Duplicate field 'customerId'"),
                broken("payload fields on a cancel", json("{'type':'OrderCancelRequested','orderId':'o1','customerId':'c1'}"),
                        "unknown field 'customerId' for type OrderCancelRequested"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenOrderEvents")
    void shouldRejectNamingTheFieldWhenOrderEventStructureIsWrong(String what, String json, String expected) {
        // Given a record that breaks the contract in one way

        // When / Then
        assertThatThrownBy(() -> reader.orderEvent(bytes(json)))
                .as("%s: %s", what, json)
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining(expected);
    }

    static Stream<Arguments> brokenStockAdjustments() {
        return Stream.of(
                broken("delta above int range", json("{'sku':'s1','delta':3000000000,'reason':'r'}"),
                        "field 'delta' must be an integer"),
                broken("expectedVersion as string", json("{'sku':'s1','delta':1,'reason':'r','expectedVersion':'3'}"),
                        "field 'expectedVersion' must be an integer"),
                broken("reason missing", json("{'sku':'s1','delta':1}"),
                        "missing required field 'reason'"),
                broken("misspelt expectedVersion", json("{'sku':'s1','delta':1,'reason':'r','expectedVersio':3}"),
                        "unknown field 'expectedVersio' in a stock adjustment"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenStockAdjustments")
    void shouldRejectNamingTheFieldWhenStockAdjustedStructureIsWrong(String what, String json, String expected) {
        // Given a record that breaks the contract in one way

        // When / Then
        assertThatThrownBy(() -> reader.stockAdjusted(bytes(json)))
                .as("%s: %s", what, json)
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining(expected);
    }

    static Stream<Arguments> brokenDeposits() {
        return Stream.of(
                broken("amount with cents", json("{'customerId':'c1','amount':1000.00,'currency':'EUR'}"),
                        "field 'amount' must be an integer, got 1000.0"),
                broken("amount as string", json("{'customerId':'c1','amount':'1000','currency':'EUR'}"),
                        "field 'amount' must be an integer"),
                broken("currency missing", json("{'customerId':'c1','amount':1000}"),
                        "missing required field 'currency'"),
                broken("type field", json("{'type':'FundsDeposited','customerId':'c1','amount':1,'currency':'EUR'}"),
                        "unknown field 'type' in a deposit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDeposits")
    void shouldRejectNamingTheFieldWhenFundsDepositedStructureIsWrong(String what, String json, String expected) {
        // Given a record that breaks the contract in one way

        // When / Then
        assertThatThrownBy(() -> reader.fundsDeposited(bytes(json)))
                .as("%s: %s", what, json)
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void shouldRejectWithJacksonLocationWhenJsonIsMalformed() {
        // Given
        String malformed = json("{'customerId':'c1',\n'amount':,'currency':'EUR'}");

        // When / Then
        assertThatThrownBy(() -> reader.fundsDeposited(bytes(malformed)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageStartingWith("malformed JSON: ")
                .hasMessageContaining("at line 2, column");
    }

    @ParameterizedTest
    @ValueSource(strings = {" {'x':1}", " garbage", "}", " ,"})
    void shouldRejectAsTrailingContentWhenSomethingFollowsTheObject(String trailer) {
        // Given
        String twoValues = json("{'customerId':'c1','amount':1,'currency':'EUR'}" + trailer);

        // When / Then
        assertThatThrownBy(() -> reader.fundsDeposited(bytes(twoValues)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageStartingWith("trailing content after the JSON object at line 1, column 48");
    }

    @Test
    void shouldRejectAsEmptyWhenRecordIsNullOrEmpty() {
        // When / Then
        assertThatThrownBy(() -> reader.orderEvent(null))
                .isInstanceOf(InvalidRecordException.class).hasMessage("empty record");
        assertThatThrownBy(() -> reader.stockAdjusted(new byte[0]))
                .isInstanceOf(InvalidRecordException.class).hasMessage("empty record");
    }

    @Test
    void shouldRejectAsNeitherJsonNorAvroWhenBytesAreRandom() {
        // Given random bytes that start like neither format
        byte[] random = new byte[64];
        new Random(42).nextBytes(random);
        random[0] = (byte) 0x9c;

        // When / Then
        assertThatThrownBy(() -> reader.fundsDeposited(random))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("neither a JSON object")
                .hasMessageContaining("nor Avro in the Schema Registry wire format")
                .hasMessageContaining("first byte is 0x9c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{'sku':'s1'}]", "'text'", "42", "sku=s1,delta=3"})
    void shouldRejectAsNeitherJsonObjectNorAvroWhenTextIsNotAnObject(String text) {
        // When / Then
        assertThatThrownBy(() -> reader.stockAdjusted(bytes(json(text))))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("neither a JSON object");
    }

    @Test
    void shouldRejectAsInvalidWhenWireFormatRecordIsCorrupt() {
        // Given a valid wire-format record with its last byte cut off
        byte[] bytes = new AvroSerde<>(OrderEvent.class, registry).serializer().serialize("order.events", Samples.orderPlaced());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);

        // When / Then
        assertThatThrownBy(() -> reader.orderEvent(truncated))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("topic 'order.events'")
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void shouldRejectAsInvalidWhenWireFormatSchemaIdIsUnknown() {
        // Given wire-format bytes whose schema id no registry handed out
        byte[] unknownId = {0, 0x12, 0x34, 0x56, 0x78, 2, 'o', '1'};

        // When / Then: a bad record, not a registry outage
        assertThatThrownBy(() -> reader.orderEvent(unknownId))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("unknown schema id " + 0x12345678);
    }

    @Test
    void shouldPassRegistryFailureThroughWhenRegistryCannotAnswer() {
        // Given a registry that is down
        SchemaRegistry down = new SchemaRegistry() {
            @Override
            public int register(String subject, Schema schema) {
                throw new SchemaRegistryException("cannot reach schema registry at http://registry:8081: connection refused");
            }

            @Override
            public Schema schemaById(int id) {
                throw new SchemaRegistryException("cannot reach schema registry at http://registry:8081: connection refused");
            }
        };
        byte[] wire = new AvroSerde<>(OrderEvent.class, registry).serializer().serialize("order.events", Samples.orderPlaced());

        // When / Then: the record may be fine, so it must not be reported as invalid
        assertThatThrownBy(() -> new IngressReader(down).orderEvent(wire))
                .isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("cannot reach schema registry");
    }

    @Test
    void shouldGiveEqualRecordsWhenSameEventArrivesAsJsonAndAsWireFormat() {
        // Given
        List<OrderEvent> orders = List.of(Samples.orderPlaced(), Samples.orderCancelRequested());

        // When / Then
        for (OrderEvent order : orders) {
            assertSameFromBothFormats(order, OrderEvent.class, "order.events", IngressJson::write, reader::orderEvent);
        }
        assertSameFromBothFormats(Samples.stockAdjusted(), StockAdjusted.class, "inventory.adjustments",
                IngressJson::write, reader::stockAdjusted);
        assertSameFromBothFormats(Samples.fundsDeposited(), FundsDeposited.class, "payment.deposits",
                IngressJson::write, reader::fundsDeposited);
    }

    private <T extends SpecificRecord> void assertSameFromBothFormats(
            T record, Class<T> type, String topic, Function<T, byte[]> toJson, Function<byte[], T> read) {
        byte[] wire = new AvroSerde<>(type, registry).serializer().serialize(topic, record);
        assertThat(read.apply(toJson.apply(record))).isEqualTo(read.apply(wire)).isEqualTo(record);
    }

    private static Arguments broken(String what, String json, String expected) {
        return Arguments.of(what, json, expected);
    }

    /** The OrderPlaced example with one piece of text replaced; fails if the piece is not there. */
    private static String placed(String piece, String replacement) {
        String example = json(PLACED_EXAMPLE);
        String target = json(piece);
        assertThat(example).contains(target);
        return example.replaceFirst(Pattern.quote(target),
                Matcher.quoteReplacement(json(replacement)));
    }

    /** JSON written with single quotes, which reads better inside Java strings. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
