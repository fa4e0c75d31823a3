package io.orderflow.server.runtime;

import io.orderflow.topology.OrderflowConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of one Orderflow instance: a properties file, overridden by environment variables
 * ({@code ORDERFLOW_BOOTSTRAP_SERVERS} overrides {@code bootstrap.servers}: upper case, dots and dashes as
 * underscores), then defaults. Everything not listed here is passed to Kafka Streams and its clients as is —
 * security settings included.
 */
public final class InstanceConfig {
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_HOST = "http.host";
    public static final String ADVERTISED = StreamsConfig.APPLICATION_SERVER_CONFIG;
    /** Not {@code topic.*}: Kafka Streams reads that prefix as configs for its internal topics. */
    public static final String PARTITIONS = OrderflowConfig.PARTITIONS;
    /** Kafka Streams' own key: the same replication for Orderflow's topics and Streams' internal ones. */
    public static final String REPLICATION_FACTOR = StreamsConfig.REPLICATION_FACTOR_CONFIG;
    public static final String ENV_PREFIX = "ORDERFLOW_";

    /** Keys a user sets; the rest of the properties go to Kafka Streams. Documented in docs/operations.md, Configuration. */
    public static final Map<String, String> DOCUMENTED = Map.ofEntries(
            Map.entry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "Kafka brokers, host:port[,host:port]"),
            Map.entry(OrderflowConfig.SCHEMA_REGISTRY_URL, "http(s)://host:port, or local: (default)"),
            Map.entry(StreamsConfig.STATE_DIR_CONFIG, "RocksDB state directory (default /tmp/kafka-streams)"),
            Map.entry(HTTP_PORT, "port of the HTTP API (default 8080)"),
            Map.entry(HTTP_HOST, "interface the HTTP API binds to (default 0.0.0.0)"),
            Map.entry(ADVERTISED, "host:port other instances use to reach this one's HTTP API (default localhost:<http.port>)"),
            Map.entry(PARTITIONS, "partitions of topics Orderflow creates (default 6)"),
            Map.entry(REPLICATION_FACTOR, "replication factor of every topic Orderflow and Kafka Streams create (default: 3, or the number of brokers if fewer)"),
            Map.entry(OrderflowConfig.SAGA_TIMEOUT, "how long an order waits for replies (default 30s)"),
            Map.entry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "stream threads (default 1)"),
            Map.entry(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "standby replicas per store (default 0)"));

    private InstanceConfig() {
    }

    /** Reads {@code file} and applies the environment's overrides. */
    public static Properties load(Path file, Map<String, String> env) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
        applyEnvironment(props, env);
        return props;
    }

    /** Environment variables {@code ORDERFLOW_*} override the matching keys already present or documented. */
    public static void applyEnvironment(Properties props, Map<String, String> env) {
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            String wanted = e.getKey().substring(ENV_PREFIX.length());
            String key = null;
            for (String candidate : props.stringPropertyNames()) {
                if (envName(candidate).equals(wanted)) {
                    key = candidate;
                }
            }
            for (String candidate : DOCUMENTED.keySet()) {
                if (envName(candidate).equals(wanted)) {
                    key = candidate;
                }
            }
            props.setProperty(key != null ? key : wanted.toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
        }
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static int intValue(Properties props, String key, int fallback) {
        String value = props.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'");
        }
    }

    public static String required(Properties props, String key) {
        String value = props.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required (set it in the config file or as "
                    + ENV_PREFIX + envName(key) + ")");
        }
        return value.trim();
    }
}
