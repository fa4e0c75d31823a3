package io.orderflow.server.http;

import io.javalin.Javalin;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;

import java.net.BindException;
import java.util.Map;

/** The intake role on its own HTTP server: {@code POST /orders}, {@code POST /orders/{id}/cancel}, health. */
public final class IntakeServer implements AutoCloseable {
    private final Javalin app;

    private IntakeServer(Javalin app) {
        this.app = app;
    }

    public static IntakeServer start(String host, int port, IntakeService intake) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            HttpErrors.install(config);
            config.routes.get("/health", ctx -> HttpApi.json(ctx, 200, Map.of("status", "UP")));
            IntakeRoutes.register(config, intake);
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new IllegalStateException("HTTP port " + port + " is already in use", e);
                }
            }
            throw e;
        }
        return new IntakeServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
