package io.orderflow.intake;

import io.javalin.Javalin;
import io.orderflow.intake.http.IntakeRoutes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A real PostgreSQL ({@link TestDatabase}) for one test class, and the intakes and HTTP servers a test class runs on
 * it, each closed after the class in the reverse order of starting, the database last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final IntakeDatabase DB = new IntakeDatabase();
 * ...
 * IntakeService intake = DB.intake(OutboxMode.KEEP);
 * }</pre>
 */
public final class IntakeDatabase implements BeforeAllCallback, AfterAllCallback {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private TestDatabase db;

    @Override
    public void beforeAll(ExtensionContext context) {
        db = TestDatabase.start();
    }

    /** The database, to look at what the intake wrote (or to stop it). */
    public TestDatabase db() {
        return db;
    }

    /** An intake with {@code mode} on this database. */
    public IntakeService intake(OutboxMode mode) {
        return intake(db.config(mode));
    }

    /** An intake with {@code config}, which {@link TestDatabase#config} gives for this database. */
    public IntakeService intake(IntakeConfig config) {
        IntakeService intake = IntakeService.start(config);
        started.push(intake);
        return intake;
    }

    /** The intake's HTTP routes on a real server, on an ephemeral loopback port. */
    public Javalin serve(IntakeService intake) {
        Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            IntakeRoutes.register(config, intake);
        }).start("127.0.0.1", 0);
        started.push(server::stop);
        return server;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        while (!started.isEmpty()) {
            started.pop().close();
        }
        db.close();
    }
}
