package io.orderflow.devtools.upgrade;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The previous release of Orderflow, built from its commit in this repository's history
 * ({@code schemas/released/builds.properties}): {@code git archive} of that commit into
 * {@code devtools/target/previous-release/<commit>}, then its own Maven Wrapper ({@code package}, tests skipped,
 * about 15 s with the dependencies already in the local repository). The build is kept there, so later runs reuse
 * it until {@code mvn clean}. Nothing of it is checked in: the old code is the old code.
 *
 * <p>A source tree without git history (a downloaded archive) cannot build it, and the test is reported as skipped
 * with the reason; a shallow clone that lacks the commit is a failure that says how to fetch it.
 */
final class PreviousRelease {
    private static final long BUILD_MINUTES = 15;
    private static final int LOG_LINES_IN_ERRORS = 40;

    private final int release;
    private final String commit;
    private final Path home;

    private PreviousRelease(int release, String commit, Path home) {
        this.release = release;
        this.commit = commit;
        this.home = home;
    }

    /** The newest release in {@code builds.properties}, built (or found built) under {@code root}. */
    static PreviousRelease build(Path root) throws IOException, InterruptedException {
        Properties builds = new Properties();
        try (Reader reader = Files.newBufferedReader(root.resolve("schemas/released/builds.properties"))) {
            builds.load(reader);
        }
        int release = builds.stringPropertyNames().stream().mapToInt(Integer::parseInt).max()
                .orElseThrow(() -> new IllegalStateException("schemas/released/builds.properties names no release"));
        String commit = builds.getProperty(Integer.toString(release)).trim();
        Path home = root.resolve("devtools/target/previous-release/" + commit);
        PreviousRelease previous = new PreviousRelease(release, commit, home);
        if (!Files.exists(home.resolve(".built"))) {
            previous.checkout(root);
            previous.compile();
        }
        return previous;
    }

    int release() {
        return release;
    }

    String commit() {
        return commit;
    }

    /** The class path that runs it: its devtools classes and runtime dependencies (its own module jars included). */
    String classpath() throws IOException {
        Path devtools = home.resolve("devtools/target");
        return devtools.resolve("classes") + java.io.File.pathSeparator
                + Files.readString(devtools.resolve("runtime-classpath.txt")).strip();
    }

    private void checkout(Path root) throws IOException, InterruptedException {
        if (run(root, List.of("git", "rev-parse", "--git-dir"), null) != 0) {
            Assumptions.abort("the rolling-upgrade test builds release " + release + " from git history, and "
                    + root + " is not a git checkout");
        }
        if (run(root, List.of("git", "cat-file", "-e", commit + "^{commit}"), null) != 0) {
            throw new IllegalStateException("release " + release + "'s commit " + commit + " is not in this clone's "
                    + "history (a shallow clone?); run 'git fetch --unshallow' and test again");
        }
        deleteRecursively(home);
        Files.createDirectories(home);
        Path archive = home.resolveSibling(commit + ".tar");
        try {
            require(run(root, List.of("git", "archive", "--format=tar", "-o", archive.toString(), commit), null) == 0,
                    "git archive " + commit);
            require(run(home, List.of("tar", "-xf", archive.toString()), null) == 0, "tar -xf " + archive);
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    private void compile() throws IOException, InterruptedException {
        Path log = home.resolveSibling(commit + "-build.log");
        List<String> command = List.of(home.resolve("mvnw").toString(), "-B", "-q", "package",
                "-Dmaven.test.skip=true");
        int exit = run(home, command, log);
        if (exit != 0) {
            throw new IllegalStateException("building release " + release + " (" + commit + ") failed with exit "
                    + exit + "; " + log + " ends:\n" + tail(log));
        }
        Files.createFile(home.resolve(".built"));
    }

    /** Runs {@code command} in {@code dir} with this JVM as JAVA_HOME; output to {@code log}, or discarded. */
    private static int run(Path dir, List<String> command, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
        Process process = builder.start();
        if (!process.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", command) + " took longer than " + BUILD_MINUTES
                    + " minutes" + (log == null ? "" : "; see " + log));
        }
        return process.exitValue();
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " failed");
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size()));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path path : all) {
                Files.delete(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
