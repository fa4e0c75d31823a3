package io.orderflow.verify;

import io.orderflow.topology.OrderflowConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What {@code saga verify} checks and how it reaches the cluster. Built with {@link #of}, which refuses bad input
 * with an {@link IllegalArgumentException} naming the flag.
 *
 * @param bootstrapServers  {@code host:port[,host:port]}
 * @param schemaRegistryUrl {@code local:} or {@code http(s)://…}, as in {@code schema.registry.url}
 * @param applicationId     the Orderflow instances' {@code application.id}, which names their changelog topics
 * @param timeout           how long to wait for Kafka to answer, and the longest a read may go without progress
 * @param clientConfig      extra Kafka client settings (security), applied to every client verify opens
 */
public record VerifyOptions(String bootstrapServers, String schemaRegistryUrl, String applicationId,
                            Duration timeout, Properties clientConfig) {
    /** Kafka's legal topic characters; the application id becomes part of topic names. */
    private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]+");

    public VerifyOptions {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(timeout, "timeout");
        Properties copy = new Properties();
        copy.putAll(clientConfig);
        clientConfig = copy;
    }

    /** A copy: the options stay as they were built. */
    @Override
    public Properties clientConfig() {
        Properties copy = new Properties();
        copy.putAll(clientConfig);
        return copy;
    }

    /** Checks each value and reads the command config file; the message of any failure names the flag. */
    public static VerifyOptions of(String bootstrapServers, String schemaRegistryUrl, String applicationId,
                                   Duration timeout, Path commandConfig) {
        return new VerifyOptions(checkBootstrap(bootstrapServers),
                schemaRegistryUrl == null ? "local:" : schemaRegistryUrl.trim(), checkApplicationId(applicationId),
                timeout, commandConfig == null ? new Properties() : load(commandConfig));
    }

    /** Options for the default application id and registry, for tests and embedding. */
    public static VerifyOptions of(String bootstrapServers, Duration timeout) {
        return of(bootstrapServers, "local:", OrderflowConfig.APPLICATION_ID, timeout, null);
    }

    private static String checkBootstrap(String value) {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("--bootstrap-server must be host:port[,host:port], was empty");
        }
        for (String server : text.split(",", -1)) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            boolean ok = colon > 0 && colon < s.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(s.substring(colon + 1));
                    ok = port >= 1 && port <= 65_535;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new IllegalArgumentException("--bootstrap-server must be host:port[,host:port] with a port "
                        + "between 1 and 65535, was '" + value + "'");
            }
        }
        return text;
    }

    private static String checkApplicationId(String value) {
        if (value == null || !APPLICATION_ID.matcher(value).matches()) {
            throw new IllegalArgumentException("--application-id must be the instances' application.id "
                    + "(letters, digits, '.', '_', '-'), was '" + value + "'");
        }
        return value;
    }

    private static Properties load(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--command-config file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--command-config file " + file + " cannot be read: "
                    + e.getMessage());
        }
        return props;
    }
}
