package io.orderflow.devtools.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.contracts.OperatorCompensate;
import io.orderflow.contracts.OrderEvent;
import io.orderflow.contracts.OrderLine;
import io.orderflow.devtools.embedded.EmbeddedKafkaExtension;
import io.orderflow.serde.IngressReader;
import io.orderflow.server.http.HttpAuth;
import io.orderflow.server.runtime.OrderflowInstance;
import io.orderflow.topology.OrderflowConfig;
import io.orderflow.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's web console in a real browser: the system's headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}) driven by Selenium, against an instance on a real broker. Places orders and watches the
 * counters move, compensates a stuck saga, looks an order up, and redrives a corrected dead letter — each asserted
 * on the page and on the topics. Without Chromium the test reports itself skipped, naming what is missing.
 */
class ConsoleBrowserIntegrationTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "console-token-7d3f1a9c5e2b8046";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PAGE = Duration.ofSeconds(30);

    @Test
    void shouldShowCountersCompensateAndRedriveWhenAnOperatorUsesTheConsole(@TempDir Path dir) throws Exception {
        SystemTool.need("chromium", Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no headless browser: install Debian's chromium and chromium-driver (.ci/run does)");
        String bootstrap = KAFKA.bootstrapServers();
        Properties props = BrokerFixture.instanceProps(bootstrap, dir.resolve("state"), 2);
        props.put(HttpAuth.MODE, "tokens");
        props.put(HttpAuth.TOKENS, "ops read,write,operator " + TOKEN);
        props.put(OrderflowConfig.SAGA_TIMEOUT, "10m");
        Properties hanging = new Properties();
        hanging.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        hanging.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "console-hanging");
        hanging.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(5 * 60_000));
        WebDriver browser = null;
        try (OrderflowInstance instance = BrokerFixture.start(props);
             KafkaProducer<String, byte[]> producer = BrokerFixture.producer(bootstrap);
             KafkaProducer<String, byte[]> foreign = new KafkaProducer<>(hanging, new StringSerializer(),
                     new ByteArraySerializer())) {
            String base = "http://127.0.0.1:" + instance.httpPort();
            BrokerFixture.adjust(producer, "cs-sku", 1_000);
            BrokerFixture.deposit(producer, "cs-c1", 1_000_000);
            producer.flush();
            await().atMost(PAGE).until(() -> get(base + "/accounts/cs-c1").statusCode() == 200);
            place(producer, "cs-1", "cs-2", "cs-3");
            awaitConfirmed(base, "cs-3");

            // Given the console, opened and given the token
            browser = browser();
            browser.get(base + "/console");
            assertThat(browser.getTitle()).isEqualTo("Orderflow console");
            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.cssSelector("#token-form button")).click();
            WebDriver page = browser;
            awaitText(page, "token-state", "token set");

            // When orders are placed, then the counters move
            awaitText(page, "count-confirmed", "3");
            place(producer, "cs-4", "cs-5");
            awaitConfirmed(base, "cs-5");
            awaitText(page, "count-confirmed", "5");

            // When a saga is stuck (its payment command behind a transaction nobody commits) and the operator
            // finds it and compensates it from the page
            foreign.initTransactions();
            foreign.beginTransaction();
            for (int p = 0; p < 2; p++) {
                foreign.send(new ProducerRecord<>(Topics.PAYMENT_COMMANDS.name(), p, "hang", new byte[] {1}));
            }
            foreign.flush();
            place(producer, "cs-stuck");
            await().atMost(PAGE).ignoreExceptions().until(() -> {
                page.findElement(By.cssSelector("#sagas-form button")).click(); // Find, until the saga is there
                return !page.findElements(By.cssSelector("#sagas tr[data-order-id='cs-stuck']")).isEmpty();
            });
            assertThat(page.findElement(By.cssSelector("#sagas tr[data-order-id='cs-stuck']")).getText())
                    .contains("AWAITING").contains("payment AUTHORIZING");
            page.findElement(By.cssSelector("#sagas tr[data-order-id='cs-stuck'] button")).click();
            assertThat(page.findElement(By.id("action-order")).getAttribute("value")).isEqualTo("cs-stuck");
            page.findElement(By.id("action-reason")).sendKeys("payment provider down");
            page.findElement(By.cssSelector("#action-form button[value='compensate']")).click();
            String done = awaitText(page, "action-state", "compensate cs-stuck written to order.events");

            // Then the page says where the action was written, and it is there, by ops, with the reason
            String[] words = done.split(" ");
            int partition = Integer.parseInt(words[6]);
            long offset = Long.parseLong(words[8]);
            OrderEvent written = orderEvent(bootstrap, partition, offset);
            assertThat(written.getOrderId()).isEqualTo("cs-stuck");
            assertThat(written.getEvent()).isEqualTo(new OperatorCompensate("ops", "payment provider down"));
            await().atMost(PAGE).until(() -> JSON.readTree(get(base + "/sagas/cs-stuck").body()).path("status")
                    .asText().matches("COMPENSATING|CANCELLED"));

            // When the operator looks an order up, then its status history shows
            page.findElement(By.cssSelector("#lookup-kind option[value='orders']")).click();
            page.findElement(By.id("lookup-id")).sendKeys("cs-1");
            page.findElement(By.cssSelector("#lookup-form button")).click();
            awaitText(page, "lookup-result", "\"status\": \"CONFIRMED\"");
            assertThat(text(page, "served-by")).isEqualTo("127.0.0.1:" + instance.httpPort());
            assertThat(text(page, "lookup-result")).contains("served by 127.0.0.1:" + instance.httpPort());

            // When a deposit that is not text is dead-lettered, and the operator redrives it corrected
            producer.send(new ProducerRecord<>(Topics.PAYMENT_DEPOSITS.name(), "cs-c9", new byte[] {0, 1, 2, -1}));
            producer.flush();
            page.findElement(By.id("dlq-topic")).sendKeys(Topics.PAYMENT_DEPOSITS.name());
            await().atMost(PAGE).ignoreExceptions().until(() -> {
                page.findElement(By.cssSelector("#dlq-form button")).click();
                return page.findElements(By.cssSelector("#letters tbody tr")).size() == 1;
            });
            page.findElement(By.cssSelector("#letters tbody tr button")).click();
            WebElement value = page.findElement(By.id("letter-value"));
            assertThat(value.getAttribute("value")).isEmpty();
            value.sendKeys("{\"eventId\":\"cs-fix-1\",\"customerId\":\"cs-c9\",\"amount\":700,\"currency\":\"EUR\"}");
            page.findElement(By.id("letter-reason")).sendKeys("bytes replaced by the deposit they stood for");
            page.findElement(By.id("letter-redrive")).click();
            awaitText(page, "letter-state", "Redriven to payment.deposits");
            assertThat(text(page, "letter-state")).contains("(corrected)").contains("by ops");

            // Then the deposit is applied
            await().atMost(PAGE).until(() -> get(base + "/accounts/cs-c9").body().contains("\"balance\":700"));
            Path screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(screenshot, Path.of("target", "console.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // And, the hanging transaction ended, the compensated saga counts as cancelled by its reason
            foreign.abortTransaction();
            await().atMost(PAGE).until(() -> get(base + "/orders/cs-stuck").body().contains("\"CANCELLED\""));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> text(page, "cancelled-by-reason")
                    .contains("OPERATOR 1"));
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(new File("target/chromedriver.log")).build();
        return new ChromeDriver(service, options);
    }

    private static void place(KafkaProducer<String, byte[]> producer, String... orderIds) {
        for (String orderId : orderIds) {
            BrokerFixture.place(producer, orderId, "cs-c1", new OrderLine("cs-sku", 1, 10L));
        }
        producer.flush();
    }

    private static void awaitConfirmed(String base, String orderId) throws Exception {
        HttpResponse<String> order = get(base + "/orders/" + orderId + "?waitFor=TERMINAL&timeout=30s");
        assertThat(order.body()).contains("CONFIRMED");
    }

    /** Waits for element {@code id}'s text to contain {@code wanted}; returns the text. */
    private static String awaitText(WebDriver page, String id, String wanted) {
        Supplier<String> text = () -> text(page, id);
        await().atMost(PAGE).ignoreExceptions().until(() -> text.get().contains(wanted));
        return text.get();
    }

    private static String text(WebDriver page, String id) {
        WebElement element = page.findElement(By.id(id));
        return element.getTagName().equals("pre") ? element.getAttribute("textContent") : element.getText();
    }

    private static OrderEvent orderEvent(String bootstrap, int partition, long offset) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition at = new TopicPartition(Topics.ORDER_EVENTS.name(), partition);
            consumer.assign(List.of(at));
            consumer.seek(at, offset);
            ConsumerRecord<byte[], byte[]> record = await().atMost(PAGE).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
                return null;
            }, r -> r != null);
            return new IngressReader(io.orderflow.serde.SchemaRegistry.fromUrl("local:")).orderEvent(record.value());
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(70)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
