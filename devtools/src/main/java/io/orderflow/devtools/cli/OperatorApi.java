package io.orderflow.devtools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.domain.Text;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How {@code saga sagas} and {@code saga dlq} reach an instance's operator API: its address, the operator's token
 * ({@code --token-file} or {@code ORDERFLOW_TOKEN}; never a flag, which would show in the process list and the
 * shell's history) and, for HTTPS with a certificate of its own, the certificate to trust.
 */
final class OperatorApi {
    static final String TOKEN_ENV = "ORDERFLOW_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "any instance (default ${DEFAULT-VALUE}, the demo's first)")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "a file holding a token with the role operator (default: ORDERFLOW_TOKEN; none for "
                    + "an instance with http.auth=none)")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "a PEM certificate to trust for an https:// URL (e.g. the demo's http-certificate.pem)")
    Path caCert;

    /** An answer: its status and JSON body. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The API's {@code error} message, or the status. */
        String error() {
            String message = body.path("error").asText("");
            return (message.isEmpty() ? "HTTP " + status : message) + " (HTTP " + status + ")";
        }
    }

    /** Thrown for what the command cannot do (no instance, a bad token file): the message is for the user. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Answer post(String path, Map<String, String> body) {
        try {
            return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code name=value&…} of the given pairs that have a value, URL-encoded, with a leading {@code ?}. */
    static String query(String... pairs) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                query.add(pairs[i] + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
            }
        }
        return query.toString();
    }

    private URI uri(String path) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            URI uri = URI.create(base + path);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new Unreachable("--url must start with http:// or https://, was '" + url + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new Unreachable("--url is not a URL: '" + Text.abbreviate(url, 80) + "'");
        }
    }

    private Answer send(HttpRequest.Builder request) {
        String token = token();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest built = request.timeout(TIMEOUT).build();
        try {
            HttpResponse<String> response = client().send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                body = JSON.createObjectNode().put("error", Text.abbreviate(response.body(), 200));
            }
            return new Answer(response.statusCode(), body);
        } catch (ConnectException e) {
            throw new Unreachable("no instance answers at " + url + " (is it running? --url names another)");
        } catch (IOException e) {
            throw new Unreachable("asking " + url + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
    }

    private String token() {
        if (tokenFile != null) {
            try {
                String token = Files.readString(tokenFile).strip();
                if (token.isEmpty() || token.contains("\n")) {
                    throw new Unreachable("--token-file " + tokenFile + " must hold one token on one line");
                }
                return token;
            } catch (IOException e) {
                throw new Unreachable("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        String token = System.getenv(TOKEN_ENV);
        return token == null || token.isBlank() ? null : token.strip();
    }

    private HttpClient client() {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caCert != null) {
            try (InputStream in = Files.newInputStream(caCert)) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, certificate);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                client.sslContext(context);
            } catch (IOException | GeneralSecurityException e) {
                throw new Unreachable("cannot use --cacert " + caCert + ": " + e.getMessage());
            }
        }
        return client.build();
    }
}
