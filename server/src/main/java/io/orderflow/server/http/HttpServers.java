package io.orderflow.server.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;

import java.net.BindException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one Javalin set-up both HTTP servers share (an instance's API, and the intake on its own): no banners,
 * {@link HttpErrors}' JSON error answers, {@code GET /health}, {@code GET /} listing every route the server
 * has, and a port already taken reported as such.
 */
final class HttpServers {
    private HttpServers() {
    }

    /** {@code GET /}. */
    private record Index(String service, List<String> endpoints, String docs) {
    }

    /** {@code GET /health}. */
    private record Health(String status) {
    }

    /**
     * Starts a server with {@code routes} and the shared ones, every request checked by {@code auth}, over HTTPS
     * when {@code tls} is on.
     */
    static Javalin start(String host, int port, HttpAuth auth, HttpTls tls, Consumer<JavalinConfig> routes) {
        List<String> index = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            HttpErrors.install(config);
            tls.install(config, host, port);
            auth.install(config);
            // GET / lists what this server answers: every route as registered, whoever registered it.
            config.events.handlerAdded(info -> {
                if (info.getHttpMethod().isHttpMethod() && !info.getPath().equals("/")) {
                    index.add(info.getHttpMethod() + " " + info.getPath());
                }
            });
            config.routes.get("/", ctx -> HttpApi.json(ctx, 200, new Index("orderflow", List.copyOf(index),
                    "docs/api.md")));
            config.routes.get("/health", ctx -> HttpApi.json(ctx, 200, new Health("UP")));
            routes.accept(config);
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new IllegalStateException("HTTP port " + port + " is already in use; choose another with "
                            + "--http-port (or http.port)", e);
                }
            }
            throw e;
        }
        return app;
    }
}
