package io.orderflow.devtools.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Schema Registry ({@link ApicurioRegistry}) for a test class. One registry serves every class of the test
 * run: it is started by the first class that asks and stopped when the run ends, because starting one takes
 * seconds and the classes share nothing but the process. Tests share it but not subjects: take topic names from
 * {@link EmbeddedKafkaExtension#uniqueTopic(String)}. A test that kills it must {@link ApicurioRegistry#restart()}
 * it before it ends (same port, empty storage).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();
 * }</pre>
 */
public final class ApicurioRegistryExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ApicurioRegistryExtension.class);

    private ApicurioRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root context's store closes its AutoCloseable values when the whole run ends.
        registry = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(ApicurioRegistry.class, type -> ApicurioRegistry.start(), ApicurioRegistry.class);
        if (!registry.alive()) {
            throw new IllegalStateException("the shared Apicurio Registry is not running: a test killed it and did "
                    + "not restart it");
        }
    }

    public ApicurioRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("Apicurio Registry is not running: register the extension as a static field");
        }
        return registry;
    }

    /** Base URL of Confluent's Schema Registry API, for {@code schema.registry.url}. */
    public String confluentUrl() {
        return registry().confluentUrl();
    }
}
