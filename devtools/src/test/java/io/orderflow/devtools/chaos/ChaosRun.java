package io.orderflow.devtools.chaos;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A chaos run inside a test: its report, what it printed, and the printed report followed by the progress lines,
 * for assertion messages.
 */
record ChaosRun(ChaosReport report, String printed, String context) {
    static ChaosRun of(ChaosRunner.Options options) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ChaosReport report;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            report = new ChaosRunner(options, o, e).run();
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        return new ChaosRun(report, printed, printed + "\n--- progress ---\n" + err.toString(StandardCharsets.UTF_8));
    }
}
