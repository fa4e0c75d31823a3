package io.orderflow.server.runtime;

import io.orderflow.server.http.HttpApi;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.server.metrics.MicrometerMetrics;
import io.orderflow.server.metrics.PendingSagas;
import io.orderflow.server.query.OrderWaiters;
import io.orderflow.server.operator.OperatorActions;
import io.orderflow.server.query.DeadLetterLog;
import io.orderflow.server.query.QueryService;
import io.orderflow.server.query.RestoreProgress;
import io.javalin.config.JavalinConfig;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.DeadLetterDeserializationHandler;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.OrderflowTopology;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One running Orderflow instance: the Kafka Streams application and its HTTP API. Start-up waits, with a bound,
 * until Streams is RUNNING and fails loudly otherwise; close stops both within the shutdown bound.
 */
public final class OrderflowInstance implements AutoCloseable {
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** Long-polling readers one instance holds at most; more get 503. */
    public static final int MAX_WAITERS = 10_000;
    /** How often the reply path's progress is measured; a due deadline waits for the next measurement. */
    private static final Duration REPLY_PATH_EVERY = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(OrderflowInstance.class);

    private final KafkaStreams streams;
    private final HttpApi http;
    private final HostInfo self;
    private final SchemaRegistry registry;
    private final MicrometerMetrics metrics;
    private final OrderWaiters waiters;
    private final AtomicLong threadFailures;
    private final ReplyPathMonitor replyPath;
    private final Tracing tracing;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OrderflowInstance(KafkaStreams streams, HttpApi http, HostInfo self, SchemaRegistry registry,
                              MicrometerMetrics metrics, OrderWaiters waiters, AtomicLong threadFailures,
                              ReplyPathMonitor replyPath, Tracing tracing) {
        this.replyPath = replyPath;
        this.tracing = tracing;
        this.threadFailures = threadFailures;
        this.metrics = metrics;
        this.waiters = waiters;
        this.streams = streams;
        this.http = http;
        this.self = self;
        this.registry = registry;
    }

    /**
     * Starts an instance from its properties ({@link InstanceConfig}); topics must exist. Waits up to
     * {@code startupTimeout} for RUNNING.
     */
    public static OrderflowInstance start(Properties props, Duration startupTimeout) {
        return start(props, startupTimeout, config -> { });
    }

    /** @param extraRoutes more HTTP routes on the instance's server (the intake role) */
    public static OrderflowInstance start(Properties props, Duration startupTimeout,
                                          Consumer<JavalinConfig> extraRoutes) {
        return start(props, startupTimeout, extraRoutes, Tracing.fromEnvironment("orderflow"));
    }

    /** @param tracing the instance's tracing, as {@link Tracing} configures it; the instance closes it */
    public static OrderflowInstance start(Properties props, Duration startupTimeout,
                                          Consumer<JavalinConfig> extraRoutes, Tracing tracing) {
        OrderflowConfig config = OrderflowConfig.from(props);
        Map<String, Object> settings = InstanceConfig.values(props);
        HttpAuth auth = HttpAuth.from(settings);
        HttpTls tls = HttpTls.from(settings);
        if (!auth.enabled()) {
            log.warn(HttpApi.NO_AUTH_WARNING);
        }
        int httpPort = (Integer) settings.get(InstanceConfig.HTTP_PORT);
        String httpHost = (String) settings.get(InstanceConfig.HTTP_HOST);
        Properties withDefaults = new Properties();
        withDefaults.putAll(props);
        withDefaults.putIfAbsent(InstanceConfig.ADVERTISED, "localhost:" + httpPort);
        // A standby per store lets another instance take over (and serve allowStale reads) without a full
        // restore; with a single instance Kafka Streams simply assigns none.
        withDefaults.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1");
        HostInfo self = HostInfo.buildFromEndpoint(withDefaults.getProperty(InstanceConfig.ADVERTISED));
        Properties streamsProps = OrderflowConfig.streamsProperties(withDefaults);
        MicrometerMetrics metrics = new MicrometerMetrics();
        streamsProps.put(DeadLetterDeserializationHandler.METRICS_CONFIG, metrics);
        InstanceConfig.required(streamsProps, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);

        SchemaRegistry registry = SchemaRegistry.fromUrl(config.schemaRegistryUrl());
        OrderWaiters waiters = new OrderWaiters(MAX_WAITERS);
        ReplyPathMonitor replyPath = ReplyPathMonitor.start(streamsProps, config.sagaTimeout(),
                REPLY_PATH_EVERY);
        Topology topology = OrderflowTopology.build(config, registry, metrics, waiters, replyPath, tracing.steps(),
                streamsProps);
        KafkaStreams streams = new KafkaStreams(topology, streamsProps);
        RestoreProgress restores = new RestoreProgress();
        streams.setGlobalStateRestoreListener(restores);
        metrics.bind(streams, new PendingSagas(streams, config.sagaTimeout(), Clock.systemUTC()), replyPath::lag,
                restores);
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<KafkaStreams.State> failed = new AtomicReference<>();
        AtomicReference<String> startupFailure = new AtomicReference<>();
        AtomicLong threadFailures = new AtomicLong();
        streams.setStateListener((newState, oldState) -> {
            log.info("Streams {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.RUNNING) {
                running.countDown();
            } else if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.PENDING_ERROR
                    || (newState == KafkaStreams.State.PENDING_SHUTDOWN && running.getCount() > 0)) {
                failed.set(newState);
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            threadFailures.incrementAndGet();
            if (running.getCount() > 0) {
                // Failing before ever running is a setup problem (config, ACLs, topics): retrying cannot fix it.
                startupFailure.set(causes(e));
                log.error("Stream thread failed during start-up: {}", causes(e));
                log.debug("Start-up failure", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            // Under exactly-once a replaced thread resumes from the last commit: nothing is lost or doubled.
            log.error("Stream thread failed; replacing it: {}", causes(e));
            log.debug("Stream thread failure", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });

        OperatorActions actions = new OperatorActions(streamsProps, registry);
        HttpApi http;
        try {
            http = HttpApi.start(httpHost, httpPort, auth, tls, new QueryService(streams, self, restores), metrics,
                    waiters, new DeadLetterLog(streamsProps), actions, extraRoutes);
        } catch (RuntimeException e) {
            streams.close(Duration.ZERO);
            replyPath.close();
            actions.close();
            metrics.close();
            tracing.close();
            throw e;
        }
        OrderflowInstance instance = new OrderflowInstance(streams, http, self, registry, metrics, waiters,
                threadFailures, replyPath, tracing);
        streams.start();
        try {
            if (!running.await(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                instance.close();
                throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + startupTimeout
                        + " (state " + streams.state() + "); is Kafka reachable at "
                        + streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + "?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            instance.close();
            throw new IllegalStateException("interrupted while starting", e);
        }
        if (failed.get() != null) {
            instance.close();
            throw new IllegalStateException("Kafka Streams failed to start (" + failed.get() + "): "
                    + (startupFailure.get() == null ? "see the log" : startupFailure.get()));
        }
        return instance;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public HostInfo self() {
        return self;
    }

    /** Long-polling readers currently waiting on this instance. */
    public int waiting() {
        return waiters.size();
    }

    /**
     * How often a stream thread died with an uncaught exception since start (each one replaced, or the client shut
     * down during start-up). Zero in a healthy instance: bad input must never get this far.
     */
    public long streamThreadFailures() {
        return threadFailures.get();
    }

    public MicrometerMetrics metrics() {
        return metrics;
    }

    public int httpPort() {
        return http.port();
    }

    /** Stops the HTTP API, then Streams (within {@link #SHUTDOWN_TIMEOUT}); a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            http.close();
        } finally {
            streams.close(new KafkaStreams.CloseOptions().timeout(SHUTDOWN_TIMEOUT));
            replyPath.close();
            registry.close();
            metrics.close();
            tracing.close();
        }
    }

    /** The chain of causes as one line: what a user needs, without a stack trace. */
    static String causes(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (line.length() > 0) {
                line.append(" <- ");
            }
            line.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return line.toString();
    }
}
