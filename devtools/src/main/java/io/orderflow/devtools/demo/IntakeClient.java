package io.orderflow.devtools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OrderLine;
import io.orderflow.contracts.OrderPlaced;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Places the demo's orders through the intake API, as a client service would: {@code POST /orders}. */
final class IntakeClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final DemoSecurity security;
    private final HttpClient client;

    IntakeClient(String base, DemoSecurity security) {
        this.base = base;
        this.security = security;
        this.client = security.httpClient();
    }

    /** Places orders 1..n, cancels those the scenario cancels, and reports each new orderId. */
    void placeAll(DemoScenario scenario, int n, Consumer<String> placed) throws IOException, InterruptedException {
        for (int i = 1; i <= n; i++) {
            OrderPlaced order = (OrderPlaced) scenario.order(i).getEvent();
            String key = scenario.orderId(i);
            JsonNode answer = post("/orders", key, body(order));
            String orderId = answer.get("orderId").asText();
            placed.accept(orderId);
            if (scenario.cancels(i)) {
                post("/orders/" + orderId + "/cancel", key + "-cancel", "{}");
            }
        }
    }

    private static String body(OrderPlaced order) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (OrderLine line : order.getLines()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("sku", line.getSku());
            l.put("quantity", line.getQuantity());
            l.put("unitPrice", line.getUnitPrice());
            lines.add(l);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", order.getCustomerId());
        body.put("currency", order.getCurrency());
        body.put("lines", lines);
        return JSON.writeValueAsString(body);
    }

    private JsonNode post(String path, String idempotencyKey, String body) throws IOException, InterruptedException {
        HttpRequest request = security.authorize(HttpRequest.newBuilder(URI.create(base + path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
