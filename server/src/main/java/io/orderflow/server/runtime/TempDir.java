package io.orderflow.server.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory deleted, with everything in it, when closed; give it to a {@link Lifecycle}. */
public record TempDir(Path path) implements AutoCloseable {

    /** Creates a new directory under the system's temporary directory. */
    public static TempDir create(String prefix) throws IOException {
        return new TempDir(Files.createTempDirectory(prefix));
    }

    @Override
    public void close() throws IOException {
        delete(path);
    }

    /** Deletes {@code dir} with everything in it, as far as it can; a directory that does not exist is no error. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
