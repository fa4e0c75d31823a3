package io.orderflow.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * Every schema ever released ({@code schemas/released/<n>/<FullName>.avsc}, shipped in this jar under
 * {@code io/orderflow/released}). Records written by an earlier build carry the ids of these schemas; the
 * {@code local:} registry knows them all, so this build reads what earlier ones wrote to topics and changelogs.
 */
public final class ReleasedSchemas {
    static final String RESOURCE = "/io/orderflow/released";

    /** One released schema: its version directory and the schema. */
    public record Released(int version, Schema schema) {
    }

    private static final List<Released> ALL = load();

    private ReleasedSchemas() {
    }

    /** Every released schema, by version then name. */
    public static List<Released> all() {
        return ALL;
    }

    private static List<Released> load() {
        URL root = ReleasedSchemas.class.getResource(RESOURCE);
        if (root == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the classpath: the schemas jar was built "
                    + "without schemas/released");
        }
        try {
            URI uri = root.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return read(jar.provider().getPath(uri));
                } catch (FileSystemAlreadyExistsException openedElsewhere) {
                    return read(Path.of(uri)); // not ours to close
                }
            }
            return read(Path.of(uri));
        } catch (URISyntaxException | IOException e) {
            throw new UncheckedIOException(new IOException("cannot read the released schemas at " + root, e));
        }
    }

    private static List<Released> read(Path root) throws IOException {
        List<Released> released = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 2)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".avsc")).sorted().toList()) {
                int version = Integer.parseInt(file.getParent().getFileName().toString());
                // Each released file is self-contained, so each gets its own parser (no shared named types).
                released.add(new Released(version, new Schema.Parser().parse(Files.readString(file))));
            }
        }
        released.sort(Comparator.comparingInt(Released::version)
                .thenComparing(r -> r.schema().getFullName()));
        return List.copyOf(released);
    }
}
