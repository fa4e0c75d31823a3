package io.orderflow.devtools.it;

import io.orderflow.server.runtime.OrderflowInstance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A test's requests to an in-process instance's HTTP API, with a bearer token or without (null). */
public final class InstanceHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Longer than any long-poll the tests ask for. */
    private static final Duration TIMEOUT = Duration.ofSeconds(70);

    private InstanceHttp() {
    }

    public static HttpResponse<String> get(OrderflowInstance instance, String path, String token)
            throws IOException, InterruptedException {
        return CLIENT.send(request(instance, path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST path} with a JSON {@code body}. */
    public static HttpResponse<String> post(OrderflowInstance instance, String path, String body, String token)
            throws IOException, InterruptedException {
        return CLIENT.send(request(instance, path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(OrderflowInstance instance, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort()
                + path)).timeout(TIMEOUT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }
}
