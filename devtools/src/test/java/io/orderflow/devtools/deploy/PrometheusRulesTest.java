package io.orderflow.devtools.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.orderflow.devtools.it.SystemTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus files in {@code deploy/prometheus/}: every alert has unit tests in {@code alerts.test.yml} — one
 * where it fires, with its labels and rendered annotations, and one where it stays silent — and, when
 * {@code promtool} is on the PATH (Debian/Ubuntu package {@code prometheus}), the rules, the demo's scrape config
 * and those unit tests pass {@code promtool}, and so does every query of the Grafana dashboard. Without
 * {@code promtool} the promtool tests are reported as skipped.
 */
class PrometheusRulesTest {
    private static final Path PROMETHEUS = Path.of("").toAbsolutePath().getParent().resolve("deploy/prometheus");
    private static final Path RULE_TESTS = PROMETHEUS.resolve("alerts.test.yml");
    private static final Path DASHBOARD = PROMETHEUS.resolveSibling("grafana").resolve("orderflow-dashboard.json");
    private static final String NO_PROMTOOL = "promtool is not on the PATH: install it (Debian/Ubuntu: "
            + "apt-get install prometheus) to check the alert rules and run their unit tests";

    @Test
    void shouldTestEveryAlertFiringAndSilentWhenTheRuleTestsAreRead() throws IOException {
        // Given every alert of every rule file in deploy/prometheus
        Set<String> alerts = new TreeSet<>();
        Set<String> ruleFiles = new TreeSet<>();
        for (Path file : yamlFiles()) {
            Map<String, Object> yaml = yaml(file);
            if (yaml.containsKey("groups")) {
                ruleFiles.add(file.getFileName().toString());
                for (Object group : list(yaml.get("groups"))) {
                    for (Object rule : list(map(group).get("rules"))) {
                        Optional.ofNullable(map(rule).get("alert")).map(String::valueOf).ifPresent(alerts::add);
                    }
                }
            }
        }
        assertThat(alerts).isNotEmpty();

        // When the unit tests are read
        Map<String, Object> unitTests = yaml(RULE_TESTS);
        Set<String> fired = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Object test : list(unitTests.get("tests"))) {
            for (Object ruleTest : list(map(test).getOrDefault("alert_rule_test", List.of()))) {
                String alert = String.valueOf(map(ruleTest).get("alertname"));
                List<?> expected = list(map(ruleTest).getOrDefault("exp_alerts", List.of()));
                if (expected.isEmpty()) {
                    silent.add(alert);
                }
                for (Object firing : expected) {
                    assertThat(map(map(firing).get("exp_annotations"))).as("%s's rendered annotations", alert)
                            .containsKeys("summary", "description");
                    fired.add(alert);
                }
            }
        }

        // Then
        assertThat(list(unitTests.get("rule_files")).stream().map(String::valueOf).toList())
                .as("rule files under test").containsExactlyInAnyOrderElementsOf(ruleFiles);
        assertThat(fired).as("alerts with a test where they fire").isEqualTo(alerts);
        assertThat(silent).as("alerts with a test where they stay silent").isEqualTo(alerts);
    }

    @Test
    void shouldPassPromtoolCheckWhenPromtoolIsInstalled(@TempDir Path logs) throws Exception {
        // Given
        Path promtool = promtool();

        // When / Then every rule file and the demo's scrape config (which loads alerts.yml) are valid
        for (Path file : yamlFiles()) {
            Map<String, Object> yaml = yaml(file);
            if (yaml.containsKey("groups")) {
                assertSucceeds(promtool, logs, "check", "rules", file.toString());
            }
        }
        assertSucceeds(promtool, logs, "check", "config", PROMETHEUS.resolve("prometheus-demo.yml").toString());
    }

    @Test
    void shouldPassEveryAlertUnitTestWhenPromtoolIsInstalled(@TempDir Path logs) throws Exception {
        // Given
        Path promtool = promtool();

        // When / Then
        assertSucceeds(promtool, logs, "test", "rules", RULE_TESTS.toString());
    }

    @Test
    void shouldParseEveryDashboardQueryWhenPromtoolChecksThemAsRecordingRules(@TempDir Path logs) throws Exception {
        // Given every query of the Grafana dashboard, as a recording rule promtool can check
        Path promtool = promtool();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<Map<String, Object>> rules = new ArrayList<>();
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s is unique", panel.path("id")).isTrue();
            for (JsonNode target : panel.path("targets")) {
                rules.add(Map.of("record", "dashboard:panel_" + panel.path("id").asInt() + "_"
                        + target.path("refId").asText(), "expr", target.path("expr").asText()));
            }
        }
        assertThat(rules).hasSizeGreaterThan(10);
        Path file = logs.resolve("dashboard-queries.yml");
        Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));

        // When / Then promtool parses each of them
        assertSucceeds(promtool, logs, "check", "rules", file.toString());
        // ... and the data consistency SLA panels say how each figure is defined
        List<String> described = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (!panel.path("description").asText().isBlank()) {
                described.add(panel.path("title").asText());
            }
        }
        assertThat(described).contains("Mean time to consistency", "Consistency rate", "Conflict resolution rate");
    }

    private static Path promtool() {
        Optional<Path> promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
        SystemTool.need("promtool", promtool.isPresent(), NO_PROMTOOL);
        return promtool.orElseThrow();
    }

    /** Runs promtool, bounded, and fails with its output unless it exits 0. */
    private static void assertSucceeds(Path promtool, Path logs, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile(logs, "promtool", ".log");
        Process process = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String shown = String.join(" ", command);
        assertThat(finished).as("%s finished within 60 s; its output:%n%s", shown, Files.readString(log)).isTrue();
        assertThat(process.exitValue()).as("%s exit code; its output:%n%s", shown, Files.readString(log)).isZero();
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.list(PROMETHEUS)) {
            return files.filter(file -> file.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            return map(new Yaml(new SafeConstructor(options)).load(reader));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).as("a list").isInstanceOf(List.class);
        return (List<?>) value;
    }
}
