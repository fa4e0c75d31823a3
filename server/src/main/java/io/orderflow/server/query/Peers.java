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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How an instance asks the others: forwarding a key's request to the instance that owns it (or a standby), and
 * gathering every instance's local part of a range or an aggregate. Every request it sends is marked
 * {@link #FORWARDED}, and an instance that receives a marked request never forwards it again, so a moving owner
 * can never make instances bounce a request between them. Every request passes the asked instance's
 * {@link PeerGuard} first, so one that hangs is refused at once instead of holding this one's threads. Knows HTTP
 * as a transport only; what to ask and how to merge the parts is the caller's.
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
    private final PeerGuard guard;

    /**
     * @param scheme {@code http} or {@code https}
     * @param tls    for {@code https}, what to trust; null for the JDK's defaults
     * @param guard  the breakers and bulkheads every request passes
     */
    public Peers(String scheme, SSLContext tls, PeerGuard guard) {
        this.scheme = scheme;
        this.guard = guard;
        // HTTP/1.1: the JDK's default (HTTP/2) sends every request over plain http with h2c upgrade headers, which
        // Jetty here does not take up; 1.1 keeps one pooled keep-alive connection per request in flight instead.
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2));
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

    /** No peer could answer; why, and when to ask again. */
    public record Failed(String reason, long retryAfterSeconds) implements Reply {
    }

    /** Every peer's part, in the order asked, or why one of them could not give it and when to ask again. */
    public record Gathered(List<JsonNode> parts, String failure, long retryAfterSeconds) {
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
        long retryAfter = 1;
        for (int i = 0; i < candidates.size(); i++) {
            HostInfo host = candidates.get(i);
            Exchange exchange = exchange(host, pathAndQuery, authorization, timeout);
            if (exchange.response() == null) {
                reason = exchange.failure();
                retryAfter = Math.max(retryAfter, exchange.retryAfterSeconds());
                continue;
            }
            HttpResponse<String> response = exchange.response();
            if (response.statusCode() == 503 && i < candidates.size() - 1) {
                reason = host + " answered 503";
                continue;
            }
            return new Answered(response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After"), response.headers().firstValue(SERVED_BY));
        }
        return new Failed(reason, retryAfter);
    }

    /**
     * Asks every host for {@code pathAndQuery} (a JSON answer) at once, passing on the caller's {@code authorization}
     * (or null); the parts come in the order of {@code hosts}, and the first host in that order that cannot give its
     * part is the failure. Each request has its own timeout, so a gather takes as long as its slowest host.
     */
    public Gathered gather(List<HostInfo> hosts, String pathAndQuery, String authorization)
            throws InterruptedException {
        List<CompletableFuture<Exchange>> asked = new ArrayList<>(hosts.size());
        for (HostInfo host : hosts) {
            asked.add(exchangeAsync(host, pathAndQuery, authorization, GATHER_TIMEOUT));
        }
        List<JsonNode> parts = new ArrayList<>(hosts.size());
        for (int i = 0; i < hosts.size(); i++) {
            HostInfo host = hosts.get(i);
            Exchange exchange = await(asked.get(i));
            if (exchange.response() == null) {
                return new Gathered(parts, exchange.failure(), exchange.retryAfterSeconds());
            }
            HttpResponse<String> response = exchange.response();
            if (response.statusCode() != 200) {
                return new Gathered(parts, "instance " + host.host() + ":" + host.port() + " answered "
                        + response.statusCode() + errorOf(response.body()), 1);
            }
            try {
                parts.add(JSON.readTree(response.body()));
            } catch (IOException e) {
                return new Gathered(parts, "instance " + host.host() + ":" + host.port()
                        + " answered what is not JSON: " + e.getMessage(), 1);
            }
        }
        return new Gathered(parts, null, 0);
    }

    /** A response, or why there is none (refused by the guard, or no answer) and when to try again. */
    private record Exchange(HttpResponse<String> response, String failure, long retryAfterSeconds) {
    }

    /** One request through {@code host}'s guard. */
    private Exchange exchange(HostInfo host, String pathAndQuery, String authorization, Duration timeout)
            throws InterruptedException {
        PeerGuard.Result entry = guard.enter(host);
        if (entry.permitted().isEmpty()) {
            return new Exchange(null, "refused to ask instance " + entry.refused(), PeerGuard.retryAfterSeconds());
        }
        PeerGuard.Call call = entry.call();
        try {
            HttpResponse<String> response = send(host, pathAndQuery, authorization, timeout);
            call.answered();
            return new Exchange(response, null, 0);
        } catch (IOException e) {
            call.failed(e);
            return new Exchange(null, "instance " + host.host() + ":" + host.port() + " did not answer: "
                    + e.getMessage(), 1);
        } catch (InterruptedException | RuntimeException e) {
            call.abandoned();
            throw e;
        }
    }

    /**
     * One request through {@code host}'s guard, not waited for: the guard hears its outcome when it comes, whether
     * or not anyone still waits for it.
     */
    private CompletableFuture<Exchange> exchangeAsync(HostInfo host, String pathAndQuery, String authorization,
                                                      Duration timeout) {
        PeerGuard.Result entry = guard.enter(host);
        if (entry.permitted().isEmpty()) {
            return CompletableFuture.completedFuture(new Exchange(null, "refused to ask instance " + entry.refused(),
                    PeerGuard.retryAfterSeconds()));
        }
        PeerGuard.Call call = entry.call();
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = client.sendAsync(request(host, pathAndQuery, authorization, timeout),
                    HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            call.abandoned();
            throw e;
        }
        return sent.handle((response, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause == null) {
                call.answered();
                return new Exchange(response, null, 0);
            }
            if (cause instanceof IOException e) {
                call.failed(e);
                return new Exchange(null, "instance " + host.host() + ":" + host.port() + " did not answer: "
                        + e.getMessage(), 1);
            }
            call.abandoned();
            throw new CompletionException(cause);
        });
    }

    private static Exchange await(CompletableFuture<Exchange> exchange) throws InterruptedException {
        try {
            return exchange.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("asking another instance failed", e.getCause());
        }
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
        return client.send(request(host, pathAndQuery, authorization, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(HostInfo host, String pathAndQuery, String authorization, Duration timeout) {
        URI uri = URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header(FORWARDED, "1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.GET().build();
    }
}
