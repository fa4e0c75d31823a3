package io.orderflow.server.http;

import io.javalin.Javalin;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;


/** The intake role on its own HTTP server: {@code POST /orders}, {@code POST /orders/{id}/cancel}, health, the index. */
public final class IntakeServer implements AutoCloseable {
    private final Javalin app;

    private IntakeServer(Javalin app) {
        this.app = app;
    }

    public static IntakeServer start(String host, int port, HttpAuth auth, IntakeService intake) {
        return start(host, port, auth, HttpTls.none(), intake);
    }

    /** Over HTTPS when {@code tls} is on. */
    public static IntakeServer start(String host, int port, HttpAuth auth, HttpTls tls, IntakeService intake) {
        Javalin app = HttpServers.start(host, port, auth, tls, config -> IntakeRoutes.register(config, intake));
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
