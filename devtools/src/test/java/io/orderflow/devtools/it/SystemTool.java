package io.orderflow.devtools.it;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A test's need for a program of the system (promtool, curl, chromium). Absent, the test reports itself skipped
 * with the reason — unless the environment variable {@value #REQUIRED} names the tool: {@code .ci/run} sets it for
 * the tools it installed, so that in CI a test that needs one of them fails instead of passing unrun.
 */
public final class SystemTool {

    /** Comma-separated names of the tools whose absence fails a test instead of skipping it. */
    public static final String REQUIRED = "ORDERFLOW_REQUIRED_TOOLS";

    private SystemTool() {
    }

    /** Skips the calling test when {@code present} is false, or fails it when {@code tool} is required. */
    public static void need(String tool, boolean present, String reason) {
        if (required().contains(tool)) {
            assertThat(present).as("%s (%s lists %s)", reason, REQUIRED, tool).isTrue();
        }
        assumeThat(present).as(reason).isTrue();
    }

    private static Set<String> required() {
        String names = System.getenv().getOrDefault(REQUIRED, "");
        return Arrays.stream(names.split(",")).map(String::trim).filter(name -> !name.isEmpty())
                .collect(Collectors.toSet());
    }
}
