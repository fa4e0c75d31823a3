package io.orderflow.devtools.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Map;
import java.util.UUID;

/**
 * One embedded single-node Kafka per test class (ephemeral ports, temporary data dir), stopped
 * after the class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * }</pre>
 *
 * With {@code @ExtendWith(EmbeddedKafkaExtension.class)} instead, declare an {@link EmbeddedKafka}
 * parameter on a test method or constructor to receive the broker.
 *
 * <p>Tests share the broker but not topics: take names from {@link #uniqueTopic(String)}.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private EmbeddedKafka kafka;
    /** The class that started the broker; nested classes reuse it and must not stop it. */
    private String ownerId;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (kafka == null) {
            kafka = EmbeddedKafka.builder().start();
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null && context.getUniqueId().equals(ownerId)) {
            try {
                kafka.close();
            } finally {
                kafka = null;
                ownerId = null;
            }
        }
    }

    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("Embedded Kafka is not running: register the extension as a static field");
        }
        return kafka;
    }

    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** A topic name no other test uses, e.g. {@code orders-3f2a9c1d}. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return kafka();
    }
}
