package io.orderflow.devtools.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time so far of each thread of this JVM (by name, digits folded so that a pool counts as one) and of a
 * PostgreSQL server's processes, and how long this JVM's threads waited for a core: two snapshots taken around a
 * measurement show which thread or process was busy, whether one of them bounds it, or whether the machine did.
 */
record CpuSnapshot(Map<String, Long> threadNanos, long postgresNanos, long runQueueNanos) {

    /** Now; {@code pgData} is the server's data directory (its {@code postmaster.pid}), or null. */
    static CpuSnapshot take(Path pgData) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> threads = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            ThreadInfo info = mx.getThreadInfo(id);
            long cpu = mx.getThreadCpuTime(id);
            if (info != null && cpu > 0) {
                threads.merge(info.getThreadName().replaceAll("[0-9]+", "N"), cpu, Long::sum);
            }
        }
        return new CpuSnapshot(threads, pgData == null ? 0 : postgresNanos(pgData.resolve("postmaster.pid")),
                runQueueNanosNow());
    }

    /** What was spent since {@code before}; a thread that ended in between is left out. */
    CpuSnapshot minus(CpuSnapshot before) {
        Map<String, Long> spent = new HashMap<>();
        threadNanos.forEach((name, cpu) -> spent.put(name, cpu - before.threadNanos.getOrDefault(name, 0L)));
        return new CpuSnapshot(spent, postgresNanos - before.postgresNanos, runQueueNanos - before.runQueueNanos);
    }

    /** The {@code n} busiest threads as "name 1.23 s", and PostgreSQL's processes, over {@code wall}. */
    String describe(int n, Duration wall) {
        double seconds = wall.toNanos() / 1e9;
        String busiest = threadNanos.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.2f s (%.0f %%)", e.getKey(), e.getValue() / 1e9,
                        100 * e.getValue() / 1e9 / seconds))
                .collect(Collectors.joining("; "));
        return String.format(Locale.ROOT, "JVM %.2f s: %s; PostgreSQL processes %.2f s (%.0f %%); JVM threads "
                        + "runnable but waiting for a core %.2f s", threadNanos.values().stream().mapToLong(Long::longValue)
                        .sum() / 1e9, busiest, postgresNanos / 1e9, 100 * postgresNanos / 1e9 / seconds,
                runQueueNanos / 1e9);
    }

    /**
     * How long this JVM's live threads were runnable but not running, from Linux's {@code /proc/self/task/N/schedstat}
     * (its second field): time lost to a machine that has more runnable threads than cores. 0 elsewhere.
     */
    private static long runQueueNanosNow() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.mapToLong(task -> {
                try {
                    String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    return Long.parseLong(fields[1]);
                } catch (IOException | RuntimeException e) {
                    return 0; // a thread that ended meanwhile
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The live processes under the postmaster (the WAL sender among them), and the postmaster itself. */
    private static long postgresNanos(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim());
            return ProcessHandle.of(pid).map(postmaster -> cpu(postmaster)
                    + postmaster.descendants().mapToLong(CpuSnapshot::cpu).sum()).orElse(0L);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static long cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
