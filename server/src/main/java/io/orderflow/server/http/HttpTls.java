package io.orderflow.server.http;

import io.javalin.config.JavalinConfig;
import org.apache.kafka.common.config.types.Password;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;

/**
 * HTTPS for an HTTP server ({@code http.tls.keystore.path}: its key and certificate) and for the requests instances
 * make of each other ({@code http.tls.truststore.path}: whom to trust; the JDK's default CAs without it). Without a
 * key store the server speaks plain HTTP. Passwords come from the settings, so from the environment
 * ({@code ORDERFLOW_HTTP_TLS_KEYSTORE_PASSWORD}), and never appear in a message.
 */
public final class HttpTls {
    public static final String KEYSTORE = "http.tls.keystore.path";
    public static final String KEYSTORE_PASSWORD = "http.tls.keystore.password";
    public static final String KEYSTORE_TYPE = "http.tls.keystore.type";
    public static final String TRUSTSTORE = "http.tls.truststore.path";
    public static final String TRUSTSTORE_PASSWORD = "http.tls.truststore.password";

    private final Path keyStore;
    private final String keyStorePassword;
    private final String type;
    private final SSLContext clientContext;

    private HttpTls(Path keyStore, String keyStorePassword, String type, SSLContext clientContext) {
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.type = type;
        this.clientContext = clientContext;
    }

    /** Plain HTTP. */
    public static HttpTls none() {
        return new HttpTls(null, null, null, null);
    }

    /**
     * The choice in an instance's or the intake's settings: HTTPS when {@code http.tls.keystore.path} is set.
     *
     * @throws IllegalArgumentException naming the setting when a store cannot be read or opened
     */
    public static HttpTls from(Map<String, Object> settings) {
        String keyStore = (String) settings.get(KEYSTORE);
        if (keyStore == null) {
            return none();
        }
        String type = (String) settings.get(KEYSTORE_TYPE);
        String password = secret(settings.get(KEYSTORE_PASSWORD));
        load(Path.of(keyStore), password, type, KEYSTORE); // fail at start, with the setting's name, not at a request
        String trustStore = (String) settings.get(TRUSTSTORE);
        SSLContext client;
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore == null ? null
                    : load(Path.of(trustStore), secret(settings.get(TRUSTSTORE_PASSWORD)), type, TRUSTSTORE));
            client = SSLContext.getInstance("TLS");
            client.init(null, trust.getTrustManagers(), null);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for requests to other instances: "
                    + e.getClass().getSimpleName());
        }
        return new HttpTls(Path.of(keyStore), password, type, client);
    }

    public boolean enabled() {
        return keyStore != null;
    }

    /** {@code https} or {@code http}. */
    public String scheme() {
        return enabled() ? "https" : "http";
    }

    /** The context requests to other instances use, trusting {@code http.tls.truststore.path}; null when off. */
    public SSLContext clientContext() {
        return clientContext;
    }

    /** With TLS, the server listens on {@code host:port} with HTTPS only. */
    void install(JavalinConfig config, String host, int port) {
        if (!enabled()) {
            return;
        }
        config.jetty.addConnector((server, http) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(keyStore.toString());
            ssl.setKeyStorePassword(keyStorePassword);
            ssl.setKeyStoreType(type);
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            HttpConfiguration https = new HttpConfiguration(http);
            // SNI host checks would refuse a client that connects by IP address, as instances do.
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(https));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        });
    }

    private static String secret(Object password) {
        return password == null ? null : ((Password) password).value();
    }

    private static KeyStore load(Path file, String password, String type, String setting) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(setting + " " + file + " does not exist");
        } catch (IOException | GeneralSecurityException e) {
            // The message of a wrong password says so without the password; keep only the kind and that.
            throw new IllegalArgumentException("cannot open " + setting + " " + file + " as " + type + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }
}
