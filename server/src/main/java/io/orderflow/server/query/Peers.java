package io.orderflow.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.state.HostInfo;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How an instance asks the others: forwarding a key's request to the instance that owns it (or a standby), and
 * gathering every instance's local part of a range or an aggregate. Every request it sends is marked
 * {@link #FORWARDED}, and an instance that receives a marked request never forwards it again, so a moving owner
 * can never make instances bounce a request between them. Knows HTTP as a transport only; what to ask and how to
 * merge the parts is the caller's.
 */
public final class Peers {
    /** Marks a request one instance sent another. */
    public static final String FORWARDED = "X-Orderflow-Forwarded";
    /** Names the instance that answered. */
    public static final String SERVED_BY = "X-Orderflow-Served-By";
    private static final Duration GATHER_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String scheme;
    private final HttpClient client;

    /**
     * @param scheme {@code http} or {@code https}
     * @param tls    for {@code https}, what to trust; null for the JDK's defaults
     */
    public Peers(String scheme, SSLContext tls) {
        this.scheme = scheme;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    /** What asking another instance gave. */
    public sealed interface Reply {
    }

    /** A peer's answer, to pass on as it is. */
    public record Answered(int status, String body, Optional<String> retryAfter, Optional<String> servedBy)
            implements Reply {
    }

    /** No peer could answer; why. */
    public record Failed(String reason) implements Reply {
    }

    /** Every peer's part, in the order asked, or why one of them could not give it. */
    public record Gathered(List<JsonNode> parts, String failure) {
        public boolean complete() {
            return failure == null;
        }
    }

    /**
     * Asks the candidates in turn — moving on when one answers 503 (and is not the last) or does not answer at
     * all — and returns the first answer, whatever its status.
     *
     * @param pathAndQuery  the request's path and (already encoded) query
     * @param authorization the caller's {@code Authorization} header, passed on (the peers check it too), or null
     */
    public Reply forward(List<HostInfo> candidates, String pathAndQuery, String authorization, Duration timeout)
            throws InterruptedException {
        String reason = null;
        for (int i = 0; i < candidates.size(); i++) {
            HostInfo host = candidates.get(i);
            try {
                HttpResponse<String> response = send(host, pathAndQuery, authorization, timeout);
                if (response.statusCode() == 503 && i < candidates.size() - 1) {
                    reason = host + " answered 503";
                    continue;
                }
                return new Answered(response.statusCode(), response.body(),
                        response.headers().firstValue("Retry-After"), response.headers().firstValue(SERVED_BY));
            } catch (IOException e) {
                reason = "instance " + host.host() + ":" + host.port() + " did not answer: " + e.getMessage();
            }
        }
        return new Failed(reason);
    }

    /**
     * Asks every host for {@code pathAndQuery} (a JSON answer), passing on the caller's {@code authorization} (or
     * null); stops at the first that cannot give it.
     */
    public Gathered gather(List<HostInfo> hosts, String pathAndQuery, String authorization)
            throws InterruptedException {
        List<JsonNode> parts = new ArrayList<>();
        for (HostInfo host : hosts) {
            try {
                HttpResponse<String> response = send(host, pathAndQuery, authorization, GATHER_TIMEOUT);
                if (response.statusCode() != 200) {
                    return new Gathered(parts, "instance " + host.host() + ":" + host.port() + " answered "
                            + response.statusCode() + errorOf(response.body()));
                }
                parts.add(JSON.readTree(response.body()));
            } catch (IOException e) {
                return new Gathered(parts, "instance " + host.host() + ":" + host.port() + " did not answer: "
                        + e.getMessage());
            }
        }
        return new Gathered(parts, null);
    }

    /** {@code ": <error>"} of a JSON error answer, or nothing. */
    private static String errorOf(String body) {
        try {
            String error = JSON.readTree(body).path("error").asText("");
            return error.isEmpty() ? "" : ": " + io.orderflow.domain.Text.abbreviate(error, 300);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private HttpResponse<String> send(HostInfo host, String pathAndQuery, String authorization, Duration timeout)
            throws IOException, InterruptedException {
        URI uri = URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header(FORWARDED, "1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
