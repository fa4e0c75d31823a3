package io.orderflow.devtools.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import io.orderflow.verify.VerifyFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's view on a real broker with two instances: sagas by status and age (gathered from both), dead
 * letters listed and shown, all behind the {@code operator} role. Stuck sagas are made as production makes them: a
 * foreign producer's transaction left open on {@code payment.commands} holds back every payment command behind it
 * (read_committed), so those sagas wait for their payment reply.
 */
class OperatorViewIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = "operator-token-5b2e8c1f9d3a7e40";
    private static final String READER = "reader-token-0c6a3f9e1b7d2e58";

    @Test
    void shouldListStuckSagasAndDeadLettersToOperatorsOnly(@TempDir Path state) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        List<OrderflowInstance> instances = new ArrayList<>();
        Properties hanging = new Properties();
        hanging.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        hanging.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "operator-view-hanging");
        hanging.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(5 * 60_000));
        try (KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap);
             KafkaProducer<String, byte[]> foreign = new KafkaProducer<>(hanging, new StringSerializer(),
                     new ByteArraySerializer())) {
            for (int i = 0; i < 2; i++) {
                instances.add(BrokerFixture.start(props(bootstrap, state.resolve("i" + i))));
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> instances.stream().allMatch(in ->
                    in.streams().state() == KafkaStreams.State.RUNNING
                            && !in.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()));
            OrderflowInstance first = instances.get(0);

            // Given two orders that completed
            BrokerFixture.adjust(producer, "op-sku", 1_000);
            for (int c = 0; c < 4; c++) {
                BrokerFixture.deposit(producer, "op-c" + c, 1_000_000);
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> get(first, "/accounts/op-c3", READER).statusCode() == 200);
            for (int i = 0; i < 2; i++) {
                BrokerFixture.place(producer, "op-done-" + i, "op-c0", new OrderLine("op-sku", 1, 10L));
            }
            producer.flush();
            for (int i = 0; i < 2; i++) {
                assertThat(get(first, "/orders/op-done-" + i + "?waitFor=TERMINAL&timeout=30s", READER).body())
                        .contains("CONFIRMED");
            }

            // And six that wait for their payment, behind a transaction nobody commits on every partition
            foreign.initTransactions();
            foreign.beginTransaction();
            for (int p = 0; p < 4; p++) {
                foreign.send(new ProducerRecord<>(Topics.PAYMENT_COMMANDS.name(), p, "hang", new byte[] {1}));
            }
            foreign.flush();
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                stuck.add("op-stuck-" + i);
                BrokerFixture.place(producer, "op-stuck-" + i, "op-c" + (1 + i % 3), new OrderLine("op-sku", 1, 10L));
                producer.flush(); // one at a time: placed in this order
            }
            // And two dead letters: unreadable JSON on order.events, bytes that are not text on payment.deposits
            producer.send(new ProducerRecord<>(Topics.ORDER_EVENTS.name(), "op-bad-1",
                    "{\"orderId\": \"op-bad-1\", not json".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), "op-c9", new byte[] {0, 1, 2, -1}));
            producer.flush();

            // When an operator asks any instance for the sagas still running
            JsonNode running = await().atMost(Duration.ofSeconds(60)).until(
                    () -> json(get(instances.get(1), "/sagas", OPERATOR)),
                    page -> page.path("items").size() == 6);

            // Then they are the stuck ones, oldest first, gathered from both instances, each waiting for its payment
            List<String> listed = new ArrayList<>();
            long previous = 0;
            for (JsonNode saga : running.path("items")) {
                listed.add(saga.path("orderId").asText());
                assertThat(saga.path("status").asText()).isEqualTo("AWAITING");
                assertThat(saga.path("awaiting").toString()).contains("payment AUTHORIZING");
                assertThat(saga.path("placedAt").asLong()).isGreaterThanOrEqualTo(previous);
                previous = saga.path("placedAt").asLong();
            }
            assertThat(listed).isEqualTo(stuck);
            assertThat(running.path("next").isNull()).isTrue();
            int local = 0;
            for (OrderflowInstance instance : instances) {
                local += json(get(instance, "/sagas?scope=local", OPERATOR)).path("items").size();
            }
            assertThat(local).as("each instance's own part").isEqualTo(6);
            // (the same page from either instance; their inventory steps may move on between the two asks)
            assertThat(ids(get(first, "/sagas", OPERATOR))).isEqualTo(ids(get(instances.get(1), "/sagas", OPERATOR)));

            // And the filters and pages select as they say
            assertThat(ids(get(first, "/sagas?customerId=op-c1", OPERATOR))).containsExactly("op-stuck-0", "op-stuck-3");
            assertThat(ids(get(first, "/sagas?status=CONFIRMED", OPERATOR))).containsExactly("op-done-0", "op-done-1");
            assertThat(ids(get(first, "/sagas?status=confirmed,awaiting&limit=1000", OPERATOR))).hasSize(8);
            assertThat(ids(get(first, "/sagas?olderThan=1h", OPERATOR))).isEmpty();
            assertThat(ids(get(first, "/sagas?olderThan=0s", OPERATOR))).hasSize(6);
            JsonNode page1 = json(get(first, "/sagas?limit=4", OPERATOR));
            JsonNode page2 = json(get(first, "/sagas?limit=4&from=" + encode(page1.path("next").asText()), OPERATOR));
            List<String> paged = new ArrayList<>(ids(page1));
            paged.addAll(ids(page2));
            assertThat(paged).isEqualTo(stuck);
            assertThat(page2.path("next").isNull()).isTrue();

            // And bad parameters are 400 naming them, never 500
            assertThat(errorOf(get(first, "/sagas?status=STUCK", OPERATOR), 400)).contains("status must be");
            assertThat(errorOf(get(first, "/sagas?olderThan=soon", OPERATOR), 400)).contains("olderThan");
            assertThat(errorOf(get(first, "/sagas?limit=0", OPERATOR), 400)).contains("limit");
            assertThat(errorOf(get(first, "/sagas?from=yesterday", OPERATOR), 400)).contains("from must be");
            assertThat(errorOf(get(first, "/sagas?customerId=a%20b", OPERATOR), 400)).contains("customerId");

            // And saga sagas shows the same from the command line, with the token from a file
            Path token = Files.writeString(state.resolve("ops.token"), OPERATOR + "\n");
            String url = "http://127.0.0.1:" + first.httpPort();
            VerifyFixture.Result cli = VerifyFixture.saga("sagas", "list", "--url", url, "--token-file", token.toString());
            assertThat(cli.code()).as(cli.err()).isZero();
            assertThat(cli.out().lines().skip(1).map(line -> line.split(" +")[0]).toList()).isEqualTo(stuck);
            assertThat(cli.out()).contains("payment AUTHORIZING");
            VerifyFixture.Result refused = VerifyFixture.saga("sagas", "compensate", "op-done-0", "--reason", "x",
                    "--url", url, "--token-file", token.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("CONFIRMED").contains("HTTP 409");
            VerifyFixture.Result anonymous = VerifyFixture.saga("sagas", "list", "--url", url);
            assertThat(anonymous.code()).isEqualTo(1);
            assertThat(anonymous.err()).contains("HTTP 401");

            // And only the operator role sees it
            assertThat(errorOf(get(first, "/sagas", READER), 403)).contains("operator");
            assertThat(errorOf(get(first, "/dead-letters", READER), 403)).contains("operator");
            assertThat(get(first, "/sagas", null).statusCode()).isEqualTo(401);

            // When an operator lists the dead letters
            JsonNode letters = await().atMost(Duration.ofSeconds(60)).until(
                    () -> json(get(first, "/dead-letters", OPERATOR)), page -> page.path("items").size() == 2);

            // Then each says where it came from and why, its value as text when it is text
            Set<String> sources = new TreeSet<>();
            for (JsonNode letter : letters.path("items")) {
                sources.add(letter.path("sourceTopic").asText());
                assertThat(letter.path("topic").asText()).isEqualTo(Topics.DEAD_LETTERS.name());
                assertThat(letter.path("reason").asText()).isNotBlank();
                assertThat(letter.path("sourceOffset").isIntegralNumber()).isTrue();
            }
            assertThat(sources).containsExactly(Topics.ORDER_EVENTS.name(), Topics.PAYMENT_DEPOSITS.name());
            JsonNode unreadable = json(get(first, "/dead-letters?topic=order.events", OPERATOR)).path("items");
            assertThat(unreadable).hasSize(1);
            assertThat(unreadable.get(0).path("valueEncoding").asText()).isEqualTo("text");
            assertThat(unreadable.get(0).path("value").asText()).isEqualTo("{\"orderId\": \"op-bad-1\", not json");
            assertThat(unreadable.get(0).path("key").asText()).isEqualTo("op-bad-1");
            JsonNode binary = json(get(first, "/dead-letters?topic=payment.deposits", OPERATOR)).path("items").get(0);
            assertThat(binary.path("valueEncoding").asText()).isEqualTo("base64");
            assertThat(binary.path("value").asText()).isEqualTo("AAEC/w==");
            String reason = unreadable.get(0).path("reason").asText();
            assertThat(ids(json(get(first, "/dead-letters?reason=" + reason, OPERATOR)).path("items"), "key"))
                    .contains("op-bad-1");
            assertThat(json(get(first, "/dead-letters?from=2099-01-01T00:00:00Z", OPERATOR)).path("items")).isEmpty();
            JsonNode firstLetter = json(get(first, "/dead-letters?limit=1", OPERATOR));
            assertThat(firstLetter.path("items")).hasSize(1);
            assertThat(json(get(first, "/dead-letters?limit=1&from=" + encode(firstLetter.path("next").asText()),
                    OPERATOR)).path("items")).hasSize(1);

            // And one is shown whole at its coordinates; other coordinates are 404 or 400, never 500
            String at = "/dead-letters/" + Topics.DEAD_LETTERS.name() + "/" + unreadable.get(0).path("partition")
                    .asInt() + "/" + unreadable.get(0).path("offset").asLong();
            assertThat(json(get(instances.get(1), at, OPERATOR))).isEqualTo(unreadable.get(0));
            assertThat(errorOf(get(first, "/dead-letters/order.events/0/0", OPERATOR), 404))
                    .contains("not a dead-letter topic");
            assertThat(errorOf(get(first, "/dead-letters/orderflow.dlq/0/999999", OPERATOR), 404))
                    .contains("no dead letter");
            assertThat(errorOf(get(first, "/dead-letters/orderflow.dlq/99/0", OPERATOR), 404))
                    .contains("no dead letter");
            assertThat(errorOf(get(first, "/dead-letters/orderflow.dlq/x/0", OPERATOR), 400)).contains("partition");
            assertThat(errorOf(get(first, "/dead-letters?from=someday", OPERATOR), 400)).contains("from must be");

            // When an operator compensates one stuck saga and has another re-send its outstanding commands
            JsonNode compensated = json(post(instances.get(1), "/sagas/op-stuck-0/compensate",
                    "{\"reason\": \"customer called: payment provider down\"}", OPERATOR), 202);
            assertThat(compensated.path("operator").asText()).isEqualTo("ops");
            assertThat(compensated.path("topic").asText()).isEqualTo(Topics.ORDER_EVENTS.name());
            JsonNode resent = json(post(first, "/sagas/op-stuck-1/resend", "{\"reason\": \"payment stuck\"}",
                    OPERATOR), 202);
            assertThat(resent.path("eventId").asText()).startsWith("op-");
            // (the compensation starts at once: the saga stops awaiting and gives back its stock; it ends without
            // waiting for the hanging payment, whose hold is voided when it turns up — waited for here, so that the
            // timeline below has that order however long the release takes on a busy machine)
            await().atMost(Duration.ofSeconds(30)).until(() -> "CANCELLED".equals(
                    json(get(first, "/sagas/op-stuck-0", OPERATOR)).path("status").asText()));

            // And bad actions are refused with why, and nothing is written
            assertThat(errorOf(post(first, "/sagas/op-done-0/compensate", "{\"reason\": \"x\"}", OPERATOR), 409))
                    .contains("CONFIRMED");
            assertThat(errorOf(post(first, "/sagas/op-nobody/compensate", "{\"reason\": \"x\"}", OPERATOR), 404))
                    .contains("op-nobody");
            assertThat(errorOf(post(first, "/sagas/op-stuck-2/compensate", "{}", OPERATOR), 400)).contains("reason");
            assertThat(errorOf(post(first, "/sagas/op-stuck-2/compensate", "{\"reason\": 7}", OPERATOR), 400))
                    .contains("string");
            assertThat(errorOf(post(first, "/sagas/op-stuck-2/resend", "not json", OPERATOR), 400)).contains("JSON");
            assertThat(errorOf(post(first, "/sagas/op-stuck-2/compensate", "{\"reason\": \"x\"}", READER), 403))
                    .contains("operator");

            // Then, once the hanging transaction ends, the compensated saga ends CANCELLED(OPERATOR) having given
            // back its hold, the re-sent one is authorized and captured once, and no saga is left running
            foreign.abortTransaction();
            await().atMost(Duration.ofSeconds(60)).until(() -> ids(get(first, "/sagas", OPERATOR)).isEmpty());
            // (the read model follows order.status, a moment after the saga)
            JsonNode cancelled = await().atMost(Duration.ofSeconds(30)).until(
                    () -> json(get(first, "/orders/op-stuck-0", READER)),
                    order -> order.path("status").asText().equals("CANCELLED"));
            assertThat(cancelled.path("status").asText()).isEqualTo("CANCELLED");
            assertThat(cancelled.path("reason").asText()).isEqualTo("OPERATOR");
            assertThat(ids(get(first, "/sagas?status=CONFIRMED&limit=1000", OPERATOR))).hasSize(7);

            // And the compensated order's timeline shows, in order, what its saga read (with where) and sent
            JsonNode timeline = await().atMost(Duration.ofSeconds(30)).until(
                    () -> json(get(instances.get(1), "/orders/op-stuck-0/timeline", READER)),
                    t -> t.path("entries").toString().contains("payment VOIDED"));
            List<String> what = ids(timeline.path("entries"), "what");
            assertThat(what).containsSubsequence("OrderPlaced", "status PLACED", "status AWAITING",
                    "payment AUTHORIZE", "inventory RESERVE op-sku", "OperatorCompensate by ops",
                    "status COMPENSATING (OPERATOR)", "status CANCELLED (OPERATOR)", "payment AUTHORIZED",
                    "payment VOID", "payment VOIDED");
            for (JsonNode entry : timeline.path("entries")) {
                assertThat(entry.path("instance").asText()).startsWith("127.0.0.1:");
                if (entry.path("direction").asText().equals("RECEIVED")) {
                    assertThat(entry.path("partition").asInt()).as(entry.toString()).isNotNegative();
                    assertThat(entry.path("offset").asLong()).as(entry.toString()).isNotNegative();
                } else {
                    assertThat(entry.path("direction").asText()).isEqualTo("SENT");
                }
            }
            assertThat(timeline.path("entries").get(0).path("topic").asText()).isEqualTo(Topics.ORDER_EVENTS.name());
            assertThat(errorOf(get(first, "/orders/op-nobody/timeline", READER), 404)).contains("op-nobody");
            VerifyFixture.Result cliTimeline = VerifyFixture.saga("sagas", "timeline", "op-stuck-0", "--url", url,
                    "--token-file", token.toString());
            assertThat(cliTimeline.code()).as(cliTimeline.err()).isZero();
            assertThat(cliTimeline.out()).contains("OperatorCompensate by ops").contains("order.events-");
            // op-c1 placed op-stuck-0 (cancelled) and op-stuck-3; op-c2 op-stuck-1 (re-sent) and op-stuck-4
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(json(get(first, "/accounts/op-c1", READER)).path("balance").asLong())
                        .isEqualTo(1_000_000 - 10);
                assertThat(json(get(first, "/accounts/op-c1", READER)).path("held").asLong()).isZero();
                assertThat(json(get(first, "/accounts/op-c2", READER)).path("balance").asLong())
                        .isEqualTo(1_000_000 - 20);
                assertThat(json(get(first, "/accounts/op-c2", READER)).path("held").asLong()).isZero();
            });

            // When an operator redrives the unreadable deposit with a corrected value, twice
            String depositLetter = "/dead-letters/" + Topics.DEAD_LETTERS.name() + "/" + binary.path("partition")
                    .asInt() + "/" + binary.path("offset").asLong() + "/redrive";
            String corrected = "{\"reason\": \"fixed by hand\", \"value\": "
                    + JSON.writeValueAsString("{\"eventId\":\"d-fix-1\",\"customerId\":\"op-c9\",\"amount\":500,"
                    + "\"currency\":\"EUR\"}") + "}";
            JsonNode redriven = json(post(first, depositLetter, corrected, OPERATOR), 202);
            assertThat(redriven.path("topic").asText()).isEqualTo(Topics.PAYMENT_DEPOSITS.name());
            // (the second time from the command line)
            Path value = Files.writeString(state.resolve("deposit.json"),
                    "{\"eventId\":\"d-fix-1\",\"customerId\":\"op-c9\",\"amount\":500,\"currency\":\"EUR\"}");
            VerifyFixture.Result again = VerifyFixture.saga("dlq", "redrive", binary.path("partition").asText(),
                    binary.path("offset").asText(), "--reason", "fixed by hand", "--value-file", value.toString(),
                    "--url", "http://127.0.0.1:" + instances.get(1).httpPort(), "--token-file", token.toString());
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).startsWith("redrive ").contains("written to payment.deposits").contains("by ops");

            // Then it is applied once
            await().atMost(Duration.ofSeconds(30)).until(() -> get(first, "/accounts/op-c9", READER).statusCode() == 200);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    json(get(first, "/accounts/op-c9", READER)).path("balance").asLong() == 500);

            // When the unreadable order is redriven as it was, it fails again: dead-lettered with both provenances
            String orderLetter = "/dead-letters/" + Topics.DEAD_LETTERS.name() + "/" + unreadable.get(0)
                    .path("partition").asInt() + "/" + unreadable.get(0).path("offset").asLong() + "/redrive";
            json(post(first, orderLetter, "{\"reason\": \"try again\"}", OPERATOR), 202);
            JsonNode failedAgain = await().atMost(Duration.ofSeconds(30)).until(
                    () -> json(get(first, "/dead-letters?topic=order.events", OPERATOR)).path("items"),
                    items -> items.size() == 2).get(1);
            assertThat(failedAgain.path("headers").path("orderflow.redriven.from").asText()).isEqualTo(
                    Topics.DEAD_LETTERS.name() + ":" + unreadable.get(0).path("partition").asInt() + ":"
                            + unreadable.get(0).path("offset").asLong());
            assertThat(failedAgain.path("headers").path("orderflow.redriven.by").asText()).isEqualTo("ops");
            assertThat(failedAgain.path("sourceTopic").asText()).isEqualTo(Topics.ORDER_EVENTS.name());
            assertThat(failedAgain.path("sourceOffset").asLong()).isNotEqualTo(unreadable.get(0).path("sourceOffset").asLong());

            // And corrected, twice, it places the order once
            String order = "{\"type\":\"OrderPlaced\",\"eventId\":\"e-op-bad-1\",\"orderId\":\"op-bad-1\","
                    + "\"customerId\":\"op-c3\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"op-sku\",\"quantity\":1,"
                    + "\"unitPrice\":10}]}";
            String fix = "{\"reason\": \"repaired JSON\", \"value\": " + JSON.writeValueAsString(order) + "}";
            json(post(first, orderLetter, fix, OPERATOR), 202);
            json(post(first, orderLetter, fix, OPERATOR), 202);
            assertThat(get(first, "/orders/op-bad-1?waitFor=TERMINAL&timeout=30s", READER).body())
                    .contains("CONFIRMED");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    json(get(first, "/orders/op-bad-1", READER)).path("history").size() == 3);

            // And a redrive of what is not a dead letter, or of a letter from Orderflow's own topics, is refused
            assertThat(errorOf(post(first, "/dead-letters/orderflow.dlq/0/999999/redrive", "{\"reason\": \"x\"}",
                    OPERATOR), 404)).contains("no dead letter");
            assertThat(errorOf(post(first, "/dead-letters/order.status/0/0/redrive", "{\"reason\": \"x\"}",
                    OPERATOR), 404)).contains("not a dead-letter topic");
            assertThat(errorOf(post(first, orderLetter, "{\"reason\": \"x\", \"key\": \"k\"}", OPERATOR), 400))
                    .contains("unknown field");
            await().atMost(Duration.ofSeconds(30)).until(() -> json(get(first, "/customers/op-c3/orders", READER))
                    .path("countsByStatus").path("CONFIRMED").asInt() == 3);
            VerifyFixture.Result cliLetters = VerifyFixture.saga("dlq", "list", "--topic", "order.events", "--url", url,
                    "--token-file", token.toString());
            assertThat(cliLetters.code()).as(cliLetters.err()).isZero();
            assertThat(cliLetters.out().lines().skip(1)).hasSize(2).allSatisfy(line -> assertThat(line)
                    .contains("order.events-").contains("{\"orderId\": \"op-bad-1\", not json"));
        } finally {
            for (OrderflowInstance instance : instances) {
                instance.close();
            }
        }

        // And saga verify finds every invariant held after the operator's actions and redrives
        VerifyFixture.Result verify = VerifyFixture.saga("verify", "--bootstrap-server", bootstrap, "--timeout", "60s");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    }

    private static Properties props(String bootstrap, Path dir) {
        Properties props = BrokerFixture.instanceProps(bootstrap, dir, 4);
        props.put(HttpAuth.MODE, "tokens");
        props.put(HttpAuth.TOKENS, "ops read,operator " + OPERATOR + ";reader read " + READER);
        props.put(OrderflowConfig.SAGA_TIMEOUT, "10m");
        return props;
    }

    private static List<String> ids(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ids(json(response));
    }

    private static List<String> ids(JsonNode page) {
        return ids(page.path("items"), "orderId");
    }

    private static List<String> ids(JsonNode items, String field) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.path(field).asText()));
        return ids;
    }

    private static String errorOf(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/json");
        return json(response).path("error").asText();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return json(response);
    }

    private static HttpResponse<String> post(OrderflowInstance instance, String path, String body, String token)
            throws Exception {
        return InstanceHttp.post(instance, path, body, token);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(OrderflowInstance instance, String path, String token) throws Exception {
        return InstanceHttp.get(instance, path, token);
    }
}
