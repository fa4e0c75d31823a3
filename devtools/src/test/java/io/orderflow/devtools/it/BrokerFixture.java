package io.orderflow.devtools.it;

import io.orderflow.devtools.embedded.LoopbackPorts;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.InstanceConfig;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.server.runtime.TopicSetup;
import io.orderflow.contracts.FundsDeposited;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;
import io.orderflow.contracts.OrderStatus;
import io.orderflow.contracts.OrderStatusChanged;
import io.orderflow.contracts.StockAdjusted;
import io.orderflow.serde.AvroSerde;
import io.orderflow.serde.IngressJson;
import io.orderflow.serde.LocalSchemaRegistry;
import io.orderflow.serde.SchemaRegistry;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Helpers for tests against a real broker: instances on ephemeral ports, JSON ingress, read_committed reads. */
public final class BrokerFixture {
    public static final Duration STARTUP = Duration.ofSeconds(90);

    private BrokerFixture() {
    }

    public static Properties instanceProps(String bootstrap, Path stateDir, int partitions) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(OrderflowConfig.SCHEMA_REGISTRY_URL, "local:");
        props.put(HttpAuth.MODE, "none");
        props.put(InstanceConfig.PARTITIONS, Integer.toString(partitions));
        props.put(InstanceConfig.REPLICATION_FACTOR, "1");
        int port = freePort();
        props.put(InstanceConfig.HTTP_PORT, Integer.toString(port));
        props.put(InstanceConfig.HTTP_HOST, "127.0.0.1");
        props.put(InstanceConfig.ADVERTISED, "127.0.0.1:" + port);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "10000");
        return props;
    }

    public static OrderflowInstance start(Properties props) {
        TopicSetup.ensure(props, Duration.ofSeconds(30));
        return OrderflowInstance.start(props, STARTUP);
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public static void adjust(KafkaProducer<String, byte[]> producer, String sku, int delta) {
        producer.send(new ProducerRecord<>(Topics.INVENTORY_ADJUSTMENTS.name(), sku,
                IngressJson.write(new StockAdjusted("a-" + sku + "-" + delta, sku, delta, "restock", null))));
    }

    public static void deposit(KafkaProducer<String, byte[]> producer, String customer, long amount) {
        producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), customer,
                IngressJson.write(new FundsDeposited("d-" + customer, customer, amount, "EUR"))));
    }

    public static void place(KafkaProducer<String, byte[]> producer, String orderId, String customer, OrderLine... lines) {
        producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, IngressJson.write(
                new OrderEvent("e-" + orderId, orderId, new OrderPlaced(customer, "EUR", List.of(lines), null)))));
    }

    public static void cancel(KafkaProducer<String, byte[]> producer, String orderId) {
        producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), orderId, IngressJson.write(
                new OrderEvent("c-" + orderId, orderId, new io.orderflow.contracts.OrderCancelRequested()))));
    }

    /** A consumer of order.status from the beginning, read_committed: only what the saga committed. */
    public static KafkaConsumer<String, OrderStatusChanged> statusConsumer(String bootstrap) {
        return statusConsumer(bootstrap, LocalSchemaRegistry.instance());
    }

    /** {@link #statusConsumer(String)} reading schema ids from {@code registry}. */
    public static KafkaConsumer<String, OrderStatusChanged> statusConsumer(String bootstrap, SchemaRegistry registry) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, OrderStatusChanged> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new AvroSerde<>(OrderStatusChanged.class, registry).deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(Topics.ORDER_STATUS.name(), Duration.ofSeconds(30))
                .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    public static List<OrderStatusChanged> poll(KafkaConsumer<String, OrderStatusChanged> consumer) {
        List<OrderStatusChanged> values = new ArrayList<>();
        for (ConsumerRecord<String, OrderStatusChanged> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(record.value());
        }
        return values;
    }

    public static boolean isTerminal(OrderStatus status) {
        return status == OrderStatus.CONFIRMED || status == OrderStatus.CANCELLED;
    }

    public static int freePort() {
        return LoopbackPorts.free();
    }

    /** The first of {@code count} consecutive free ports (a demo's instance i takes PORT+i). */
    public static int freePorts(int count) {
        return LoopbackPorts.freeConsecutive(count);
    }
}
