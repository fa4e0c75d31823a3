package io.orderflow.server.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orderflow.server.http.HttpApi;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.http.IntakeServer;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.server.runtime.Tracing;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code intake}: the order intake HTTP API writing orders and outbox rows to PostgreSQL. */
@Command(name = "intake", mixinStandardHelpOptions = true,
        description = {"Run the order intake alone: POST /orders to PostgreSQL.",
                "%nPOST /orders and POST /orders/{id}/cancel write the order and an outbox row to PostgreSQL in "
                        + "one transaction; Debezium publishes the outbox to order.events. GET /metrics exports "
                        + "the intake's metrics (Prometheus text format).",
                "%n" + IntakeCommand.KEYS,
                "%nEnvironment variables override the keys: ORDERFLOW_INTAKE_JDBC_URL overrides intake.jdbc.url, "
                        + "ORDERFLOW_HTTP_PORT overrides http.port, and so on."})
public final class IntakeCommand implements Callable<Integer> {
    /** The settings, for {@code --help}; every declared one (InstanceSettingsDocumentedTest checks). */
    public static final String KEYS = "Keys (defaults in intake/README.md, Configuration):"
            + "%n  intake.jdbc.url (required), intake.jdbc.user, intake.jdbc.password,"
            + "%n  intake.jdbc.pool.size, intake.jdbc.connection.timeout,"
            + "%n  intake.outbox.mode (delete|keep), intake.batch.max, intake.batch.writers,"
            + "%n  intake.request.timeout, intake.encryption.keys,"
            + "%n  http.port (default 8080), http.host,"
            + "%n  http.auth (tokens|none, required), http.auth.tokens.file, http.auth.tokens,"
            + "%n  http.auth.metrics, http.tls.keystore.path, http.tls.keystore.password,"
            + "%n  http.tls.keystore.type, http.tls.truststore.path,"
            + "%n  http.tls.truststore.password.";

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "intake properties file")
    Path config;

    @Override
    public Integer call() throws Exception {
        Properties props = InstanceConfig.load(config, System.getenv());
        IntakeConfig intakeConfig = IntakeConfig.from(props);
        Map<String, Object> settings = InstanceConfig.values(props);
        int port = (Integer) settings.get(InstanceConfig.HTTP_PORT);
        String host = (String) settings.get(InstanceConfig.HTTP_HOST);
        HttpAuth auth = HttpAuth.from(settings);
        HttpTls tls = HttpTls.from(settings);
        if (!auth.enabled()) {
            System.err.println("warning: " + HttpApi.NO_AUTH_WARNING);
        }
        try (Lifecycle lifecycle = new Lifecycle()) {
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            lifecycle.own(metrics::close);
            Tracing tracing = lifecycle.own(Tracing.fromEnvironment("orderflow-intake"));
            IntakeService intake = lifecycle.own(IntakeService.start(intakeConfig, metrics,
                    tracing.openTelemetry()));
            IntakeServer server = lifecycle.own(IntakeServer.start(host, port, auth, tls, intake, metrics));
            System.out.println("Orderflow intake running: " + tls.scheme().toUpperCase(java.util.Locale.ROOT)
                    + " on port " + server.port() + ", PostgreSQL at "
                    + intakeConfig.redactedUrl() + ". Ctrl-C stops it.");
            lifecycle.awaitShutdown();
        }
        return 0;
    }
}
