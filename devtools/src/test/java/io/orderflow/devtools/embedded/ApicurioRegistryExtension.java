package io.orderflow.devtools.embedded;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Schema Registry ({@link ApicurioRegistry}) per test class, started before the class and killed after
 * it. Tests share it but not subjects: take topic names from {@link EmbeddedKafkaExtension#uniqueTopic(String)}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();
 * }</pre>
 */
public final class ApicurioRegistryExtension implements BeforeAllCallback, AfterAllCallback {

    private ApicurioRegistry registry;
    /** The class that started the registry; nested classes reuse it and must not stop it. */
    private String ownerId;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (registry == null) {
            registry = ApicurioRegistry.start();
            ownerId = context.getUniqueId();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null && context.getUniqueId().equals(ownerId)) {
            try {
                registry.close();
            } finally {
                registry = null;
                ownerId = null;
            }
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
