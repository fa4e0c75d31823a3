package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.query.Peers;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hanging instance, for real: two instances as their own processes, one paused with SIGSTOP (its connections stay
 * open, nothing answers — what a long GC pause or a frozen VM looks like). The other keeps serving its own keys at
 * their usual latency, answers requests for the paused one's keys with 503 and {@code Retry-After} — the first ones
 * within the forward timeout, then at once from the open circuit breaker or the full bulkhead — and, after SIGCONT,
 * serves every key again with its breaker closed and every bulkhead permission back.
 */
class PausedPeerIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Reads.FORWARD_TIMEOUT, plus room for a loaded machine. */
    private static final Duration FIRST_FAILURES_WITHIN = Duration.ofSeconds(5 + 3);
    private static final Duration FAST = Duration.ofMillis(1000);

    @Test
    void shouldAnswer503FastForAPausedInstancesKeysAndRecoverAfterItResumes(@TempDir Path dir) throws Exception {
        // Given two instances in their own JVMs; the session timeout is long, so the paused one keeps its partitions
        Properties settings = new Properties();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        settings.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "180000");
        settings.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "3000");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (InstanceJvm asked = InstanceJvm.start("asked", InstanceJvm.thisBuild(), settings, dir);
             InstanceJvm paused = InstanceJvm.start("paused", InstanceJvm.thisBuild(), settings, dir);
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(KAFKA.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> asked.ready() && paused.ready());
            List<String> customers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                customers.add("paused-peer-" + i);
                BrokerFixture.deposit(producer, customers.get(i), 1_000);
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> customers.stream().allMatch(c -> status(asked, "/accounts/" + c) == 200));
            String askedAddress = "127.0.0.1:" + asked.port();
            String pausedName = "peer 127.0.0.1:" + paused.port();
            List<String> local = new ArrayList<>();
            List<String> remote = new ArrayList<>();
            for (String customer : customers) {
                String servedBy = get(asked, "/accounts/" + customer).headers().firstValue(Peers.SERVED_BY).orElse("");
                (servedBy.equals(askedAddress) ? local : remote).add("/accounts/" + customer);
            }
            assertThat(local).as("keys the asked instance owns").isNotEmpty();
            assertThat(remote).as("keys the other instance owns").isNotEmpty();

            // When the owner of the remote keys is paused, and 24 requests for its keys arrive at once while its
            // own keys are asked for too
            paused.pause();
            List<Future<Timed>> remoteBurst = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String path = remote.get(i % remote.size());
                remoteBurst.add(pool.submit(() -> timed(asked, path)));
            }
            List<Timed> localDuring = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                localDuring.add(timed(asked, local.get(i % local.size())));
            }

            // Then its own keys keep answering fast, and every request for the paused one's keys is a 503 with
            // Retry-After within the forward timeout — never a hang
            assertThat(localDuring).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(200);
                assertThat(t.took()).isLessThan(FAST);
            });
            for (Future<Timed> future : remoteBurst) {
                Timed t = future.get();
                assertThat(t.status()).as(t.body()).isEqualTo(503);
                assertThat(t.retryAfter()).isNotEmpty();
                assertThat(t.took()).as(t.body()).isLessThan(FIRST_FAILURES_WITHIN);
            }
            assertThat(remoteBurst.stream().map(PausedPeerIntegrationTest::join).map(Timed::body))
                    .as("the bulkhead refused what exceeded 16 waiting requests")
                    .anyMatch(body -> body.contains("requests are already waiting for it"));
            // the breaker is open now: the next requests are refused at once, naming it
            assertThat(metric(asked, "resilience4j_circuitbreaker_state", pausedName, "open")).isEqualTo(1.0);
            for (int i = 0; i < 10; i++) {
                Timed t = timed(asked, remote.get(i % remote.size()));
                assertThat(t.status()).isEqualTo(503);
                assertThat(t.body()).contains("circuit breaker open");
                assertThat(t.retryAfter()).isEqualTo("5");
                assertThat(t.took()).isLessThan(FAST);
            }

            // When the paused instance resumes
            paused.resume();

            // Then after the breaker's probes every key answers again, the breaker is closed and nothing is held
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> remote.stream().allMatch(path -> status(asked, path) == 200));
            assertThat(metric(asked, "resilience4j_circuitbreaker_state", pausedName, "closed")).isEqualTo(1.0);
            assertThat(metric(asked, "resilience4j_bulkhead_available_concurrent_calls", pausedName, null))
                    .isEqualTo(16.0);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Timed(int status, String body, String retryAfter, Duration took) {
    }

    private static Timed join(Future<Timed> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Timed timed(InstanceJvm instance, String path) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get(instance, path);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new Timed(response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After").orElse(""), took);
    }

    /** The status of {@code GET path}, or -1 when the instance did not answer. */
    private static int status(InstanceJvm instance, String path) {
        try {
            return get(instance, path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(InstanceJvm instance, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of {@code name{name="<peer>"[,state="<state>"]}} on the instance's /metrics, or NaN. */
    private static double metric(InstanceJvm instance, String name, String peer, String state) throws Exception {
        String body = get(instance, "/metrics").body();
        Pattern line = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(body);
        while (matcher.find()) {
            String labels = matcher.group(1);
            if (labels.contains("name=\"" + peer + "\"") && (state == null || labels.contains("state=\"" + state
                    + "\""))) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return Double.NaN;
    }
}
