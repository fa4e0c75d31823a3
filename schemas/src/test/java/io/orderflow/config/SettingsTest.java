package io.orderflow.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {
    private static final ConfigDef DEF = new ConfigDef()
            .define("a.timeout", Type.STRING, "30s", Settings.duration(Duration.ofMillis(250)), Importance.HIGH, "t")
            .define("a.count", Type.INT, 6, Settings.atLeast(1), Importance.HIGH, "c")
            .define("a.port", Type.INT, 8080, Settings.between(0, 65_535), Importance.HIGH, "p")
            .define("a.url", Type.STRING, null, Importance.HIGH, "u");

    @Test
    void shouldGiveDefaultsAndTypedValues() {
        // When
        Map<String, Object> values = Settings.parse(DEF, props("a.count", " 3 ", "a.url", ""));

        // Then
        assertThat(Settings.duration(values, "a.timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(values).containsEntry("a.count", 3).containsEntry("a.port", 8080).containsEntry("a.url", null);
    }

    @Test
    void shouldNameTheKeyWhatItMustBeAndTheValueGivenInOneLine() {
        assertThatThrownBy(() -> Settings.parse(DEF, props("a.count", "ten")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a.count must be an integer, was 'ten'");
        assertThatThrownBy(() -> Settings.parse(DEF, props("a.count", "0")))
                .hasMessage("a.count must be >= 1, was 0");
        assertThatThrownBy(() -> Settings.parse(DEF, props("a.port", "70000")))
                .hasMessage("a.port must be from 0 to 65535, was 70000");
        assertThatThrownBy(() -> Settings.parse(DEF, props("a.timeout", "soon")))
                .hasMessage("a.timeout must be a duration such as 500ms, 30s, 5m or 24h, was 'soon'");
        assertThatThrownBy(() -> Settings.parse(DEF, props("a.timeout", "100ms")))
                .hasMessage("a.timeout must be at least 250ms, was '100ms'");
        assertThatThrownBy(() -> Settings.parse(new ConfigDef().define("b", Type.STRING, Importance.HIGH, "b"),
                new Properties())).hasMessage("b is required");
    }

    @Test
    void shouldFindWhatTheDocsTableGetsWrong() {
        // Given a table that misses a key, gives a wrong default and lists a key that is no setting
        String markdown = String.join("\n", "# Doc", "## Settings", "", "| key | default | meaning |", "|---|---|---|",
                "| `a.timeout` | `30s` | t |", "| `a.count`, `a.port` | `6`, `8081` | c and p |",
                "| `a.extra` | `1` | x |", "| `kafka.thing` | `2` | passed through |", "", "## Next",
                "| `a.url` | — | not in the section |");

        // When
        var problems = SettingsTable.problems(DEF, markdown, "Settings", Set.of("kafka.thing"));

        // Then
        assertThat(problems).containsExactlyInAnyOrder(
                "a.port: the table gives the default `8081`, the code `8080`",
                "a.url is declared but not in the table",
                "a.extra is in the table but is not a setting");
    }

    @Test
    void shouldAcceptATrueTable() {
        String markdown = String.join("\n", "## Settings", "| key | default | meaning |", "|---|---|---|",
                "| `a.timeout` | `30s` | t |", "| `a.count`, `a.port` | `6`, `8080` | c and p |",
                "| `a.url` | required | u |");
        assertThat(SettingsTable.problems(DEF, markdown, "Settings", Set.of())).isEmpty();
    }

    private static Properties props(String... keyValues) {
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }
}
