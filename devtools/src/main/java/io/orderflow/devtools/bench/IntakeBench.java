package io.orderflow.devtools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.IntakeServer;
import io.orderflow.server.runtime.Lifecycle;
import io.orderflow.intake.IntakeConfig;
import io.orderflow.intake.IntakeService;
import io.orderflow.topology.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code saga bench --intake}: the outbox path alone. Concurrent HTTP clients post orders to the intake API
 * ({@code POST /orders}: order row + outbox row in one PostgreSQL transaction); Debezium's outbox connector on
 * Kafka Connect publishes them to {@code order.events}; a read_committed consumer sees them arrive. Measures HTTP
 * posts per second, outbox events per second on {@code order.events}, and the outbox lag per order: from the moment
 * its POST was sent (no later than the outbox row's {@code created_at}, so an upper bound) to the moment its event
 * is visible on {@code order.events}. With {@code --rate} the orders are offered open-loop, and the lag counts from
 * each order's due time.
 */
final class IntakeBench {
    /**
     * What one run measured.
     *
     * @param maxLateMs with {@code --rate}: the longest an order waited past its due time for a free client */
    record Result(int orders, double postSeconds, double postsPerSecond, double eventSeconds, double eventsPerSecond,
                  Histogram lagMs, int seen, int failed, long maxLateMs) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BenchRunner.Options options;
    private final PrintStream err = System.err;

    IntakeBench(BenchRunner.Options options) {
        this.options = options;
    }

    /** Runs connectors/orders-outbox.json as the product ships it, so the figures are the product's. */
    Result run(Lifecycle lifecycle) throws Exception {
        // HttpURLConnection keeps at most http.maxConnections (default 5) idle connections per server, and reads the
        // setting once: without this, all but 5 clients would open a new TCP connection for every order.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(Math.max(5, options.clients())));
        }
        OutboxStack stack = OutboxStack.start(lifecycle, options, err);
        IntakeService intake = lifecycle.own(IntakeService.start(IntakeConfig.from(stack.intakeProps())));
        IntakeServer server = lifecycle.own(IntakeServer.start("127.0.0.1", 0, HttpAuth.none(), intake));

        String run = UUID.randomUUID().toString().substring(0, 6);
        String url = "http://127.0.0.1:" + server.port();
        try (KafkaConsumer<String, byte[]> consumer = stack.consumer()) {
            warmUp(url, run, consumer);
            if (options.rate() > 0) {
                int orders = (int) Math.min(Integer.MAX_VALUE, (long) options.rate() * options.duration().toSeconds());
                if (!options.warmup().isZero()) {
                    err.printf(Locale.ROOT, "Warm-up: %d orders/s for %d s (not measured) ...%n", options.rate(),
                            options.warmup().toSeconds());
                    measure(url, "w-" + run, consumer, (int) Math.min(Integer.MAX_VALUE,
                            (long) options.rate() * options.warmup().toSeconds()));
                    err.println();
                }
                return measure(url, run, consumer, orders);
            }
            return measure(url, run, consumer, options.orders());
        }
    }

    /** One order through the whole path first, so the measurement does not include Connect's first poll. */
    private void warmUp(String base, String run, KafkaConsumer<String, byte[]> consumer) throws Exception {
        URL orders = URI.create(base + "/orders").toURL();
        String orderId = post(orders, "warm-" + run, 0);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (orderId.equals(record.key())) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the warm-up order " + orderId + " did not reach " + Topics.ORDER_EVENTS
                + " within 2 minutes; is the outbox connector running?");
    }

    /**
     * Posts {@code orders} orders: at the maximum rate from {@code --clients} closed-loop clients, or with
     * {@code --rate} open-loop, order {@code i} due at {@code start + i / rate} and its lag counted from then, so a
     * send that waits for a busy client or a slow intake shows as lag (no coordinated omission).
     */
    private Result measure(String base, String run, KafkaConsumer<String, byte[]> consumer, int orders)
            throws Exception {
        double nanosPerOrder = options.rate() > 0 ? 1e9 / options.rate() : 0;
        AtomicLong maxLateNanos = new AtomicLong();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.clients(), r -> {
            Thread t = new Thread(r, "bench-intake-client");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            clients.add(pool.submit(() -> {
                // Blocking HttpURLConnection: each thread reuses its own keep-alive connection, as separate callers
                // would. The JDK HttpClient it replaced spent about as much CPU as the intake's Jetty on this
                // machine (docs/performance.md, "Tuning the outbox path").
                URL endpoint = URI.create(base + "/orders").toURL();
                for (int i = next.getAndIncrement(); i < orders; i = next.getAndIncrement()) {
                    long sent = System.nanoTime();
                    if (nanosPerOrder > 0) {
                        long due = start + (long) (i * nanosPerOrder);
                        for (long wait = due - sent; wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                        long late = System.nanoTime() - due;
                        maxLateNanos.accumulateAndGet(late, Math::max);
                        sent = due;
                    }
                    try {
                        sentAt.put(post(endpoint, "b-" + run + "-" + i, i), sent);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e.getMessage());
                    }
                }
                return null;
            }));
        }
        Histogram lag = new Histogram(600_000L, 3);
        Map<String, Long> seenAt = new HashMap<>();
        long postsDone = 0;
        long firstSeen = 0;
        long lastSeen = 0;
        long lastReport = start;
        long deadline = start + Duration.ofMinutes(10).toNanos();
        while (seenAt.size() < orders - failed.get() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                long now = System.nanoTime();
                if (record.key() != null && seenAt.putIfAbsent(record.key(), now) == null) {
                    firstSeen = firstSeen == 0 ? now : firstSeen;
                    lastSeen = now;
                }
            }
            if (postsDone == 0 && clients.stream().allMatch(Future::isDone)) {
                postsDone = System.nanoTime();
            }
            long now = System.nanoTime();
            if (now - lastReport > 1_000_000_000L) {
                lastReport = now;
                progress(Math.min(orders, next.get()), seenAt.size(), orders, (now - start) / 1e9);
            }
        }
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        if (postsDone == 0) {
            postsDone = System.nanoTime();
        }
        progress(Math.min(orders, next.get()), seenAt.size(), orders, (System.nanoTime() - start) / 1e9);
        err.println();
        if (failed.get() > 0) {
            err.println(failed.get() + " POSTs failed, the first with: " + firstFailure.get());
        }
        int matched = 0;
        for (Map.Entry<String, Long> e : sentAt.entrySet()) {
            Long seen = seenAt.get(e.getKey());
            if (seen != null) {
                lag.recordValue(Math.max(0, Math.min(600_000L, (seen - e.getValue()) / 1_000_000L)));
                matched++;
            }
        }
        double postSeconds = (postsDone - start) / 1e9;
        double eventSeconds = (lastSeen - start) / 1e9;
        return new Result(orders, postSeconds, sentAt.size() / postSeconds, eventSeconds,
                eventSeconds <= 0 ? 0 : matched / eventSeconds, lag, matched, failed.get(),
                maxLateNanos.get() / 1_000_000L);
    }

    /** Posts order {@code i} and answers its orderId. */
    private static String post(URL orders, String key, int i) throws IOException {
        byte[] body = ("{\"customerId\":\"bc-" + (i % 2_000) + "\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"bs-"
                + (i % 1_000) + "\",\"quantity\":1,\"unitPrice\":100}]}").getBytes(StandardCharsets.UTF_8);
        HttpURLConnection http = (HttpURLConnection) orders.openConnection();
        http.setConnectTimeout(5_000);
        http.setReadTimeout(30_000);
        http.setRequestMethod("POST");
        http.setDoOutput(true);
        http.setFixedLengthStreamingMode(body.length);
        http.setRequestProperty("Content-Type", "application/json");
        http.setRequestProperty("Idempotency-Key", key);
        try (OutputStream out = http.getOutputStream()) {
            out.write(body);
        }
        int status = http.getResponseCode();
        // Reading each body to its end is what lets the JDK put the connection back for the next request.
        try (InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream()) {
            String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 202) {
                throw new IllegalStateException("POST /orders answered " + status + ": " + answer);
            }
            return JSON.readTree(answer).get("orderId").asText();
        }
    }

    private void progress(int posted, int seen, int total, double seconds) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) seen * width / total);
        err.printf(Locale.ROOT, "\r[%s%s] %d/%d outbox events on %s, %d posted, %.0f events/s   ",
                "#".repeat(filled), ".".repeat(width - filled), seen, total, Topics.ORDER_EVENTS, posted,
                seen / Math.max(0.001, seconds));
        err.flush();
    }
}
