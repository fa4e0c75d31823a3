package io.orderflow.intake;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The roles V3 creates protect the outbox on a real PostgreSQL: a login user granted {@code orderflow_intake_writer}
 * runs the intake (orders, keys, outbox rows, the purge, the table's size) but cannot read an event; one with
 * {@code LOGIN REPLICATION} granted {@code orderflow_outbox_reader} reads the outbox and decodes it through the
 * {@code orderflow_outbox} publication, but cannot write; a login user with no grant can do neither.
 */
class OutboxAccessTest {
    /** PostgreSQL's insufficient_privilege. */
    private static final String PERMISSION_DENIED = "42501";
    private static final String INTAKE = "intake_app";
    private static final String CDC = "cdc_app";
    private static final String STRANGER = "stranger";

    @RegisterExtension
    static final IntakeDatabase DB = new IntakeDatabase();
    private static TestDatabase db;

    @BeforeAll
    static void migrateAndCreateLogins() {
        db = DB.db();
        // The migrations run as the owner (here the superuser), as db-migrate does in docker compose.
        IntakeService.start(db.config(OutboxMode.DELETE)).close();
        // What an operator does once per deployment (docs/operations.md): login users granted the group roles.
        db.execute("CREATE ROLE " + INTAKE + " LOGIN IN ROLE orderflow_intake_writer");
        db.execute("CREATE ROLE " + CDC + " LOGIN REPLICATION IN ROLE orderflow_outbox_reader");
        db.execute("CREATE ROLE " + STRANGER + " LOGIN");
    }

    private static PlaceOrderRequest order(String customer) {
        return new PlaceOrderRequest(customer, "EUR", List.of(new PlaceOrderRequest.Line("s1", 2, 1250)));
    }

    @Test
    void shouldWriteOrdersAndOutboxRowsButReadNoEventWhenTheIntakeLogsInWithTheWriterRole() throws Exception {
        // Given an intake logged in as the writer, keeping its rows so the purge has something to delete
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String customer = "c-" + UUID.randomUUID();
        try (IntakeService intake = IntakeService.start(db.config(INTAKE, OutboxMode.KEEP), registry)) {

            // When it places an order, repeats it, cancels it and purges the outbox
            OrderAccepted placed = intake.placeOrder("k1", order(customer));
            OrderAccepted repeat = intake.placeOrder("k1", order(customer));
            intake.cancelOrder(placed.orderId(), "k2");
            double tableSize = registry.get("outbox.table.size").gauge().value();
            int purged = intake.purgeOutbox(Duration.ZERO);

            // Then every write went through, and the gauge could count the rows
            assertThat(repeat.replayed()).isTrue();
            assertThat(db.count("SELECT count(*) FROM orders WHERE order_id = ? AND status = 'CANCEL_REQUESTED'",
                    placed.orderId())).isEqualTo(1);
            assertThat(tableSize).isGreaterThanOrEqualTo(2.0);
            assertThat(purged).isGreaterThanOrEqualTo(2);
        }
        // ... and the events themselves are not the writer's to read
        try (Connection intake = db.connect(INTAKE)) {
            assertDenied(intake, "SELECT payload FROM outbox");
            assertDenied(intake, "SELECT * FROM outbox");
        }
    }

    @Test
    void shouldReadAndStreamTheOutboxButWriteNothingWhenDebeziumLogsInWithTheReaderRole() throws Exception {
        // Given Debezium's login with a logical replication slot on the migration's publication
        String slot = "access_test_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection cdc = db.connect(CDC)) {
            execute(cdc, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            try {
                // When the intake's role writes an order with its event
                try (IntakeService intake = IntakeService.start(db.config(INTAKE, OutboxMode.KEEP))) {
                    intake.placeOrder("k1", order("c-" + UUID.randomUUID()));
                }

                // Then Debezium's role reads the outbox ...
                assertThat(countRows(cdc, "SELECT id, aggregateid, payload FROM outbox")).isPositive();
                // ... and decodes the INSERT from the WAL through the publication ('I' = pgoutput's insert message)
                assertThat(countRows(cdc, "SELECT data FROM pg_logical_slot_peek_binary_changes('" + slot
                        + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'orderflow_outbox') "
                        + "WHERE get_byte(data, 0) = ascii('I')")).isPositive();
                // ... but may write nothing, neither the outbox nor the orders
                assertDenied(cdc, "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                        + "VALUES (gen_random_uuid(), 'order', 'o-forged', 'OrderPlaced', '{}')");
                assertDenied(cdc, "DELETE FROM outbox");
                assertDenied(cdc, "UPDATE outbox SET payload = '{}'");
                assertDenied(cdc, "SELECT * FROM orders");
            } finally {
                execute(cdc, "SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }

    @Test
    void shouldRefuseEverythingWhenALoginWithoutGrantsTouchesTheTables() throws Exception {
        // Given a login user nobody granted anything
        try (Connection stranger = db.connect(STRANGER)) {
            // When it reads or writes the intake's tables
            // Then PostgreSQL refuses each with insufficient_privilege
            assertDenied(stranger, "SELECT * FROM outbox");
            assertDenied(stranger, "SELECT count(*) FROM outbox");
            assertDenied(stranger, "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                    + "VALUES (gen_random_uuid(), 'order', 'o-forged', 'OrderPlaced', '{}')");
            assertDenied(stranger, "DELETE FROM outbox");
            assertDenied(stranger, "SELECT * FROM orders");
            assertDenied(stranger, "SELECT * FROM idempotency_keys");
        }
        // ... and it cannot run the intake either: start-up says so instead of failing on the first order
        assertThatThrownBy(() -> IntakeService.start(db.config(STRANGER, OutboxMode.DELETE)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("permission denied");
    }

    private static void assertDenied(Connection connection, String sql) {
        SQLException refused = catchThrowableOfType(SQLException.class, () -> execute(connection, sql));
        assertThat((Throwable) refused).as(sql).isNotNull();
        assertThat(refused.getSQLState()).as("%s: %s", sql, refused.getMessage()).isEqualTo(PERMISSION_DENIED);
        assertThat(refused.getMessage()).contains("permission denied");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long countRows(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rows = statement.executeQuery()) {
            long n = 0;
            while (rows.next()) {
                n++;
            }
            return n;
        }
    }
}
