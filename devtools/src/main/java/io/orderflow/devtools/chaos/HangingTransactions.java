package io.orderflow.devtools.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kafka's own hanging-transaction finder ({@code kafka-transactions.sh find-hanging}, KIP-664), run against every
 * broker: a transaction open on a partition that its transaction coordinator does not know about (a lost or
 * corrupted coordinator state) is never committed or aborted, and holds every {@code read_committed} reader of
 * that partition back forever. The tool runs as its own process, exactly as an operator runs it, with
 * {@code --max-transaction-timeout 0} so that a chaos run's transactions, minutes old at most, are in its scope; an
 * ongoing transaction its coordinator knows about is not reported.
 *
 * @param brokers the broker ids searched
 * @param hanging one line per hanging transaction: topic, partition, producer id, epoch, coordinator epoch, start
 *                offset, last timestamp, minutes (the tool's own columns)
 * @param failure why the tool could not search a broker, or null
 */
public record HangingTransactions(List<Integer> brokers, List<String> hanging, String failure) {
    private static final String TOOL = "org.apache.kafka.tools.TransactionsCommand";
    private static final long TIMEOUT_SECONDS = 120;

    /** Runs the finder once per broker in {@code brokerIds}. */
    public static HangingTransactions find(String bootstrap, List<Integer> brokerIds) throws InterruptedException {
        List<String> hanging = new ArrayList<>();
        for (int broker : brokerIds) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), TOOL,
                    "--bootstrap-server", bootstrap, "find-hanging", "--broker-id", Integer.toString(broker),
                    "--max-transaction-timeout", "0");
            String output;
            int exit;
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new HangingTransactions(brokerIds, hanging, "find-hanging on broker " + broker
                            + " did not finish within " + TIMEOUT_SECONDS + " s");
                }
                exit = process.exitValue();
            } catch (IOException e) {
                return new HangingTransactions(brokerIds, hanging, "cannot run " + TOOL + ": " + e.getMessage());
            }
            List<String> rows = rows(output);
            if (exit != 0 || rows == null) {
                return new HangingTransactions(brokerIds, hanging, "find-hanging on broker " + broker + " exited with "
                        + exit + ": " + output.strip());
            }
            rows.forEach(row -> hanging.add("broker " + broker + ": " + row));
        }
        return new HangingTransactions(brokerIds, hanging, null);
    }

    /** The table's rows, whitespace squeezed; null when the output is not the tool's table. */
    static List<String> rows(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Topic") && lines.get(i).contains("ProducerId")) {
                header = i;
            }
        }
        if (header < 0) {
            return null;
        }
        return lines.subList(header + 1, lines.size()).stream().map(line -> line.strip().replaceAll("\\s+", " "))
                .toList();
    }

    public boolean ok() {
        return failure == null && hanging.isEmpty();
    }

    ChaosReport.Check check() {
        return new ChaosReport.Check("hanging txns", ok(), toString());
    }

    @Override
    public String toString() {
        String scope = "(Kafka's TransactionsCommand find-hanging on brokers "
                + String.join(", ", brokers.stream().map(String::valueOf).toList()) + ")";
        if (failure != null) {
            return "could not search " + scope + ": " + failure;
        }
        if (hanging.isEmpty()) {
            return "none " + scope;
        }
        return hanging.size() + " hanging " + scope + ": " + String.join("; ", hanging);
    }
}
