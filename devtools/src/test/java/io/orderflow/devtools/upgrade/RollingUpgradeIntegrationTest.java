package io.orderflow.devtools.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.devtools.embedded.ApicurioRegistryExtension;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.devtools.it.BrokerFixture;
import io.orderflow.devtools.it.InstanceJvm;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.ReleasedSchemas;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import io.orderflow.verify.VerifyFixture;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling upgrade from the previous release to this build, on a real broker and a real Schema Registry (Apicurio),
 * with sagas in flight at every step. The previous release is the real one: built from its commit in this
 * repository's history ({@link PreviousRelease}), run as its own JVMs, writing its state, changelogs and messages with
 * its released schemas; its orders arrive written with the released {@code OrderEvent} schema, as its producers
 * write them.
 *
 * <p>Two instances of the previous release run; an instance of this build joins; the old ones stop one by one (a
 * clean SIGTERM), each while orders are placed and not yet ended, and a second new instance takes the place of the
 * first. Once every instance runs this build, half the new orders carry the new field (an order note), written with
 * this build's schema; the other half still come with the released one. Every saga completes, the views show the
 * note where one was given and none elsewhere, and {@code saga verify} finds every invariant held.
 *
 * <p>The schemas of the two builds differ only compatibly (a new optional field), which is what
 * {@code SchemaCompatibilityTest} enforces; this test shows the running system agrees. A Schema Registry is needed:
 * with {@code local:}, an instance of the previous release could not look up the fingerprint of a schema it has never
 * seen (docs/operations.md, "Upgrading").
 */
class RollingUpgradeIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(180);
    private static final List<String> CUSTOMERS = List.of("u1", "u2", "u3", "u4", "u5", "u6");
    private static final List<String> SKUS = List.of("apple", "pear", "plum");

    @Test
    void shouldCompleteEverySagaAndShowNotesWhenOldInstancesHandOverOneByOneWhileOrdersFlow(@TempDir Path dir)
            throws Exception {
        // Given the previous release, built from its commit
        PreviousRelease previous = PreviousRelease.build(ROOT);
        String bootstrap = KAFKA.bootstrapServers();
        Properties settings = new Properties();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(OrderflowConfig.SCHEMA_REGISTRY_URL, REGISTRY.confluentUrl());
        List<InstanceJvm> instances = new ArrayList<>();
        try (SchemaRegistry registry = SchemaRegistry.fromUrl(REGISTRY.confluentUrl());
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap)) {
            // And two of its instances, with money and stock
            InstanceJvm old1 = start(instances, "old-1", previous.classpath(), settings, dir);
            InstanceJvm old2 = start(instances, "old-2", previous.classpath(), settings, dir);
            await().atMost(START).pollInterval(Duration.ofMillis(500)).until(() -> old1.ready() && old2.ready());
            CUSTOMERS.forEach(c -> BrokerFixture.deposit(producer, c, 100_000_000L));
            SKUS.forEach(sku -> BrokerFixture.adjust(producer, sku, 1_000_000));
            producer.flush();

            // And orders flowing, written with the previous release's OrderEvent schema
            try (StatusWatch statuses = new StatusWatch(bootstrap, registry);
                 OrderFlow flow = new OrderFlow(producer, registry, released(OrderEvent.getClassSchema(),
                         previous.release()))) {
                await().atMost(Duration.ofSeconds(60)).until(() -> statuses.ended(flow.placed()) >= 40);

                // When an instance of this build joins, and the old ones stop one by one, each with sagas in flight
                InstanceJvm new1 = start(instances, "new-1", InstanceJvm.thisBuild(), settings, dir);
                await().atMost(START).pollInterval(Duration.ofMillis(500)).until(new1::ready);
                List<String> placedAtFirstStop = flow.burst(100);
                long firstStop = System.currentTimeMillis();
                int firstExit = old1.stop(Duration.ofSeconds(60));
                InstanceJvm new2 = start(instances, "new-2", InstanceJvm.thisBuild(), settings, dir);
                await().atMost(START).pollInterval(Duration.ofMillis(500)).until(new2::ready);
                int placedBeforeSecondStop = flow.placed().size();
                await().atMost(Duration.ofSeconds(60)).until(() -> flow.placed().size() >= placedBeforeSecondStop + 40);
                List<String> placedAtSecondStop = flow.burst(100);
                long secondStop = System.currentTimeMillis();
                int secondExit = old2.stop(Duration.ofSeconds(60));

                // And, every instance on this build, half the new orders carry a note in this build's schema
                flow.giveNotes();
                await().atMost(Duration.ofSeconds(60)).until(() -> flow.notes().size() >= 40);
                flow.stop();

                // Then every saga completes
                List<String> placed = flow.placed();
                // (up to 5 minutes: on a loaded machine the new instances may first restore whole changelogs, a
                // task found corrupted under exactly-once being wiped and restored; the outcome names what is left)
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(statuses.ended(placed)).as("sagas ended of %d; outcomes %s",
                                placed.size(), statuses.outcomes(placed)).isEqualTo(placed.size()));
                int inFlightAtFirstStop = statuses.endedAfter(placedAtFirstStop, firstStop);
                int inFlightAtSecondStop = statuses.endedAfter(placedAtSecondStop, secondStop);
                assertThat(inFlightAtFirstStop).as("sagas in flight when old-1 stopped").isPositive();
                assertThat(inFlightAtSecondStop).as("sagas in flight when old-2 stopped").isPositive();
                assertThat(List.of(firstExit, secondExit)).as("exit codes of the stopped old instances")
                        .containsOnly(0);
                assertThat(statuses.confirmed(placed)).as("confirmed of %d orders (%s)", placed.size(),
                        statuses.outcomes(placed)).isGreaterThan(placed.size() * 9 / 10);

                System.out.printf("Rolling upgrade: %d orders (%d with notes); %d and %d placed before old-1 and "
                        + "old-2 stopped ended after; outcomes %s%n", placed.size(), flow.notes().size(), inFlightAtFirstStop,
                        inFlightAtSecondStop, statuses.outcomes(placed));

                // And the views show the note where one was given, and no note elsewhere
                for (Map.Entry<String, String> noted : flow.notes().entrySet()) {
                    assertThat(order(new1, noted.getKey()).path("note").asText(null)).as(noted.getKey())
                            .isEqualTo(noted.getValue());
                }
                for (String orderId : placed.subList(0, 20)) {
                    assertThat(order(new2, orderId).has("note")).as(orderId).isFalse();
                }
            }

            // And saga verify (this build's) finds every invariant held over what both builds wrote
            for (InstanceJvm instance : instances) {
                instance.close();
            }
            VerifyFixture.Result verify = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap,
                    "--schema-registry", REGISTRY.confluentUrl(), "--json", "--timeout", "60s");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        } catch (AssertionError | RuntimeException e) {
            keepLogs(dir);
            throw e;
        } finally {
            for (InstanceJvm instance : instances) {
                instance.close();
            }
        }
    }

    /** The instances' logs, kept in target/ when the test fails (the temporary directory is removed). */
    private static void keepLogs(Path dir) {
        try (var logs = Files.list(dir)) {
            Path kept = Files.createDirectories(Path.of("target", "rolling-upgrade-failure-" + System.currentTimeMillis()));
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()));
            }
            System.out.println("Rolling upgrade failed; the instances' logs are in " + kept.toAbsolutePath());
        } catch (IOException e) {
            System.out.println("Could not keep the instances' logs: " + e);
        }
    }

    private static InstanceJvm start(List<InstanceJvm> instances, String name, String classpath, Properties settings,
                                     Path dir) {
        InstanceJvm instance = InstanceJvm.start(name, classpath, settings, dir);
        instances.add(instance);
        return instance;
    }

    /** {@code GET /orders/{id}} on {@code instance}, which forwards to the owner when it is not. */
    private static JsonNode order(InstanceJvm instance, String orderId) throws IOException {
        HttpResponse<String> response = instance.get("/orders/" + orderId);
        assertThat(response).as("GET /orders/%s on %s", orderId, instance.name()).isNotNull();
        assertThat(response.statusCode()).as("GET /orders/%s: %s", orderId, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The newest released form of {@code current} in release {@code release} or before. */
    private static Schema released(Schema current, int release) {
        return ReleasedSchemas.all().stream()
                .filter(r -> r.version() <= release && r.schema().getFullName().equals(current.getFullName()))
                .max((a, b) -> Integer.compare(a.version(), b.version()))
                .orElseThrow(() -> new IllegalStateException(current.getFullName() + " has no release up to " + release))
                .schema();
    }

    /**
     * Places an order every 25 ms (or, in a burst, as fast as they are acknowledged) on a thread of its own, each
     * acknowledged before it counts. Until {@link #giveNotes()} every order is written as the previous release's
     * producers write it (its released schema, registered under the topic's subject); after, every other order is
     * written with this build's schema and a note.
     */
    private static final class OrderFlow implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final SchemaRegistry registry;
        private final Schema releasedSchema;
        private final int releasedId;
        private final AvroSerde<OrderEvent> current;
        private final List<String> placed = new CopyOnWriteArrayList<>();
        private final Map<String, String> notes = new ConcurrentHashMap<>();
        private final Thread thread;
        private final AtomicInteger burst = new AtomicInteger();
        private volatile boolean notesGiven;
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        OrderFlow(KafkaProducer<String, byte[]> producer, SchemaRegistry registry, Schema releasedSchema) {
            this.producer = producer;
            this.registry = registry;
            this.releasedSchema = releasedSchema;
            this.releasedId = registry.register(Topics.ORDER_EVENTS.name() + "-value", releasedSchema);
            this.current = new AvroSerde<>(OrderEvent.class, registry);
            this.thread = new Thread(this::run, "upgrade-order-flow");
            thread.start();
        }

        private void run() {
            try {
                for (int i = 0; running; i++) {
                    String orderId = "up-" + i;
                    OrderLine line = new OrderLine(SKUS.get(i % SKUS.size()), 1 + i % 3, 100L + i % 7);
                    boolean noted = notesGiven && i % 2 == 0;
                    String note = noted ? "Note " + i + ": leave it at the back door\n(ring twice)" : null;
                    OrderEvent event = new OrderEvent("e-" + orderId, orderId,
                            new OrderPlaced(CUSTOMERS.get(i % CUSTOMERS.size()), "EUR", List.of(line), note));
                    byte[] value = noted ? current.serializer().serialize(Topics.ORDER_EVENTS.name(), event)
                            : asReleased(event);
                    producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, value))
                            .get(30, TimeUnit.SECONDS);
                    placed.add(orderId);
                    if (noted) {
                        notes.put(orderId, note);
                    }
                    if (burst.get() > 0) {
                        burst.decrementAndGet();
                    } else {
                        LockSupport.parkNanos(Duration.ofMillis(25).toNanos()); // pacing, not a wait for a condition
                    }
                }
            } catch (ExecutionException | TimeoutException e) {
                failure = new IllegalStateException("placing an order failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** The event in the wire format with the released schema: id, then the record as that schema has it. */
        private byte[] asReleased(OrderEvent event) {
            try {
                ByteArrayOutputStream currentBytes = new ByteArrayOutputStream();
                BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(currentBytes, null);
                new SpecificDatumWriter<OrderEvent>(OrderEvent.getClassSchema()).write(event, encoder);
                encoder.flush();
                Object old = new GenericDatumReader<>(OrderEvent.getClassSchema(), releasedSchema)
                        .read(null, DecoderFactory.get().binaryDecoder(currentBytes.toByteArray(), null));
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.write(0);
                bytes.write(ByteBuffer.allocate(4).putInt(releasedId).array());
                encoder = EncoderFactory.get().binaryEncoder(bytes, encoder);
                new GenericDatumWriter<>(releasedSchema).write(old, encoder);
                encoder.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Places the next {@code n} orders without pacing and returns every order placed once they are. */
        List<String> burst(int n) {
            int target = placed.size() + n;
            burst.set(n);
            await().atMost(Duration.ofSeconds(60)).until(() -> placed().size() >= target);
            return placed();
        }

        void giveNotes() {
            notesGiven = true;
        }

        List<String> placed() {
            check();
            return List.copyOf(placed);
        }

        Map<String, String> notes() {
            check();
            return Map.copyOf(notes);
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(Duration.ofSeconds(60).toMillis());
            check();
        }

        private void check() {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            current.close();
        }
    }

    /** The latest status of every order on {@code order.status} (read_committed), read when asked. */
    private static final class StatusWatch implements AutoCloseable {
        private final KafkaConsumer<String, OrderStatusChanged> consumer;
        private final Map<String, OrderStatusChanged> latest = new HashMap<>();

        StatusWatch(String bootstrap, SchemaRegistry registry) {
            consumer = BrokerFixture.statusConsumer(bootstrap, registry);
        }

        private synchronized Map<String, OrderStatusChanged> read() {
            for (ConsumerRecord<String, OrderStatusChanged> record : consumer.poll(Duration.ofMillis(200))) {
                latest.merge(record.key(), record.value(), (a, b) -> b.getVersion() > a.getVersion() ? b : a);
            }
            return latest;
        }

        /** How many of {@code orders} have ended (CONFIRMED or CANCELLED). */
        int ended(List<String> orders) {
            Map<String, OrderStatusChanged> now = read();
            return (int) orders.stream().filter(id -> now.containsKey(id)
                    && BrokerFixture.isTerminal(now.get(id).getStatus())).count();
        }

        /** How many of {@code orders} ended after {@code at} (epoch ms): they were in flight then. */
        int endedAfter(List<String> orders, long at) {
            Map<String, OrderStatusChanged> now = read();
            return (int) orders.stream().filter(id -> now.containsKey(id)
                    && BrokerFixture.isTerminal(now.get(id).getStatus()) && now.get(id).getChangedAt() > at).count();
        }

        int confirmed(List<String> orders) {
            Map<String, OrderStatusChanged> now = read();
            return (int) orders.stream().filter(id -> now.containsKey(id)
                    && now.get(id).getStatus() == OrderStatus.CONFIRMED).count();
        }

        /** Counts by status and reason, for messages. */
        Map<String, Long> outcomes(List<String> orders) {
            Map<String, OrderStatusChanged> now = read();
            Map<String, Long> counts = new HashMap<>();
            for (String id : orders) {
                OrderStatusChanged change = now.get(id);
                String outcome = change == null ? "NONE" : change.getStatus() + (change.getReason() == null ? ""
                        : "(" + change.getReason() + ")");
                counts.merge(outcome, 1L, Long::sum);
            }
            return counts;
        }

        @Override
        public synchronized void close() {
            consumer.close();
        }
    }
}
