package io.orderflow.intake;

import io.orderflow.config.SettingsTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** intake/README.md's Configuration table lists exactly the intake's declared settings with their defaults. */
class IntakeSettingsDocumentedTest {

    @Test
    void shouldListEveryIntakeSettingWithItsDefaultInTheReadme() throws Exception {
        // Given the module's README
        String readme = Files.readString(Path.of("README.md"));

        // When compared with the declared settings
        var problems = SettingsTable.problems(IntakeConfig.DEF, readme, "Configuration", Set.of());

        // Then
        assertThat(problems).isEmpty();
    }
}
