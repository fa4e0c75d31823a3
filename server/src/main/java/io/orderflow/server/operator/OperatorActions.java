package io.orderflow.server.operator;

import io.orderflow.contracts.OperatorCompensate;
import io.orderflow.contracts.OperatorResend;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.Topics;
import io.orderflow.topology.ingress.DeadLetters;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Operator actions, each an event on a topic so that exactly-once processing and {@code saga verify} cover it like
 * any other input, and the topic is its audit record (who, why, when):
 *
 * <ul>
 *     <li>compensate or re-send: an {@link OperatorCompensate} or {@link OperatorResend} on {@code order.events},
 *     keyed by the order, which the saga applies in order with the order's other events;</li>
 *     <li>redrive: the dead letter's record (or a corrected value) re-produced to its ingress topic with its key,
 *     its original headers and {@link DeadLetters#REDRIVEN_FROM}/{@code _BY}/{@code _REASON}, by which the ingress
 *     gate applies it at most once (within {@code dedupe.ttl}).</li>
 * </ul>
 *
 * Written with the instance's own Kafka client settings (an idempotent producer, {@code acks=all}); an action
 * returns once the broker has the record.
 */
public final class OperatorActions implements AutoCloseable {
    /** The topics a dead letter can be redriven to: those producers outside Orderflow write. */
    public static final Set<String> REDRIVABLE = Set.of(Topics.ORDER_EVENTS.name(), Topics.PAYMENT_DEPOSITS.name(),
            Topics.INVENTORY_ADJUSTMENTS.name());
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<OrderEvent> orderEvents;

    public OperatorActions(Properties streamsProperties, SchemaRegistry registry) {
        Map<String, Object> config = new HashMap<>(new StreamsConfig(streamsProperties)
                .getProducerConfigs("orderflow-operator"));
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.orderEvents = new AvroSerde<>(OrderEvent.class, registry).serializer();
    }

    /** Where an action's record was written, and its event id (or, for a redrive, the identity it is applied by). */
    public record Written(String eventId, String topic, int partition, long offset) {
    }

    public Written compensate(String orderId, String operator, String reason) {
        return orderEvent(orderId, new OperatorCompensate(operator, reason));
    }

    public Written resend(String orderId, String operator, String reason) {
        return orderEvent(orderId, new OperatorResend(operator, reason));
    }

    private Written orderEvent(String orderId, Object action) {
        String eventId = "op-" + UUID.randomUUID();
        OrderEvent event = new OrderEvent(eventId, orderId, action);
        byte[] value = orderEvents.serialize(Topics.ORDER_EVENTS.name(), event);
        return send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), null,
                orderId.getBytes(StandardCharsets.UTF_8), value), eventId);
    }

    /**
     * Re-produces the dead letter at {@code partition}/{@code offset} ({@code letter}, as read) to {@code topic}, its
     * source: {@code value} as given, the letter's key, its original headers and the provenance headers.
     */
    public Written redrive(int partition, long offset, String topic, byte[] key, byte[] value, Iterable<Header> original,
                           String operator, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : original) {
            headers.add(header);
        }
        String from = Topics.DEAD_LETTERS.name() + ":" + partition + ":" + offset;
        headers.add(DeadLetters.REDRIVEN_FROM, from.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.REDRIVEN_BY, operator.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.REDRIVEN_REASON, reason.getBytes(StandardCharsets.UTF_8));
        return send(new ProducerRecord<>(topic, null, null, key, value, headers), DeadLetters.redriveId(headers));
    }

    private Written send(ProducerRecord<byte[], byte[]> record, String eventId) {
        try {
            RecordMetadata written = producer.send(record).get(SEND_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            return new Written(eventId, written.topic(), written.partition(), written.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("could not write to " + record.topic() + ": " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
