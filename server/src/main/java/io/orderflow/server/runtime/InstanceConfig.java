package io.orderflow.server.runtime;

import io.orderflow.config.Settings;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.http.HttpTls;
import io.orderflow.topology.OrderflowConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
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

    /**
     * The instance's settings — the topology's ({@link OrderflowConfig#DEF}) and the instance's own — with types,
     * defaults, validators and documentation. docs/operations.md's Configuration table is checked against it
     * ({@code InstanceSettingsDocumentedTest}). Kafka Streams' keys declared here are passed to Streams as given;
     * a default here is what the instance does without the key.
     */
    public static final ConfigDef DEF = new ConfigDef(OrderflowConfig.DEF)
            .define(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Type.STRING, null, Importance.HIGH,
                    "Kafka brokers, host:port[,host:port] (required for run)")
            .define(StreamsConfig.STATE_DIR_CONFIG, Type.STRING, "/tmp/kafka-streams", Importance.HIGH,
                    "RocksDB state directory")
            .define(HTTP_PORT, Type.INT, 8080, Settings.between(0, 65_535), Importance.HIGH,
                    "port of the HTTP API (0: any free port)")
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "interface the HTTP API binds to")
            .define(ADVERTISED, Type.STRING, null, Importance.HIGH,
                    "host:port other instances use to reach this one's HTTP API (default localhost:<http.port>)")
            .define(REPLICATION_FACTOR, Type.INT, null, Settings.atLeast(1), Importance.HIGH,
                    "replication factor of every topic Orderflow and Kafka Streams create (default: 3, or the "
                            + "number of brokers if fewer)")
            .define(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Type.INT, 1, Settings.atLeast(1), Importance.MEDIUM,
                    "stream threads")
            .define(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Type.INT, 1, Settings.atLeast(0), Importance.MEDIUM,
                    "standby replicas per store (with a single instance Kafka Streams assigns none)")
            .define(HttpAuth.MODE, Type.STRING, null, Settings.oneOf("tokens", "none"), Importance.HIGH,
                    "tokens (bearer tokens with roles) or none (no authentication, not for deployment); required")
            .define(HttpAuth.TOKENS_FILE, Type.STRING, null, Importance.HIGH,
                    "file of tokens, one per line: <name> <role>[,<role>...] <token> (roles read, write, operator)")
            .define(HttpAuth.TOKENS, Type.PASSWORD, null, Importance.MEDIUM,
                    "the tokens themselves, lines as in the file separated by ';' (e.g. from the environment)")
            .define(HttpAuth.PROTECT_METRICS, Type.BOOLEAN, false, Importance.LOW,
                    "true: GET /metrics needs a read token too")
            .define(HttpTls.KEYSTORE, Type.STRING, null, Importance.HIGH,
                    "key store with the server's key and certificate: HTTPS instead of HTTP")
            .define(HttpTls.KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.HIGH, "its password")
            .define(HttpTls.KEYSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "PKCS12 or JKS (both stores)")
            .define(HttpTls.TRUSTSTORE, Type.STRING, null, Importance.MEDIUM,
                    "certificates trusted when instances ask each other over HTTPS (default: the JDK's CAs)")
            .define(HttpTls.TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "its password");

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
            for (String candidate : DEF.names()) {
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

    /**
     * Every declared setting from {@code props}, typed and validated (defaults for those absent).
     *
     * @throws IllegalArgumentException naming a setting that is not valid
     */
    public static Map<String, Object> values(Properties props) {
        return Settings.parse(DEF, props);
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
