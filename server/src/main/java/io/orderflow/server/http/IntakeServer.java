package io.orderflow.server.http;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orderflow.intake.IntakeService;
import io.orderflow.intake.http.IntakeRoutes;
import io.orderflow.server.metrics.MicrometerMetrics;


/**
 * The intake role on its own HTTP server: {@code POST /orders}, {@code POST /orders/{id}/cancel}, health, the index,
 * and, given the registry the intake's meters are in, {@code GET /metrics} (Prometheus text format; open unless
 * {@code http.auth.metrics=true}, as on an instance).
 */
public final class IntakeServer implements AutoCloseable {
    private final Javalin app;

    private IntakeServer(Javalin app) {
        this.app = app;
    }

    public static IntakeServer start(String host, int port, HttpAuth auth, IntakeService intake) {
        return start(host, port, auth, HttpTls.none(), intake);
    }

    /** Over HTTPS when {@code tls} is on; without {@code GET /metrics}. */
    public static IntakeServer start(String host, int port, HttpAuth auth, HttpTls tls, IntakeService intake) {
        Javalin app = HttpServers.start(host, port, auth, tls, config -> IntakeRoutes.register(config, intake));
        return new IntakeServer(app);
    }

    /**
     * Over HTTPS when {@code tls} is on, with {@code GET /metrics} scraping {@code metrics}: the registry
     * {@code intake} was started with ({@link IntakeService#start(io.orderflow.intake.IntakeConfig,
     * io.micrometer.core.instrument.MeterRegistry)}).
     */
    public static IntakeServer start(String host, int port, HttpAuth auth, HttpTls tls, IntakeService intake,
                                     PrometheusMeterRegistry metrics) {
        Javalin app = HttpServers.start(host, port, auth, tls, config -> {
            config.routes.get("/metrics", ctx -> ctx.contentType(MicrometerMetrics.CONTENT_TYPE)
                    .result(metrics.scrape()));
            IntakeRoutes.register(config, intake);
        });
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
