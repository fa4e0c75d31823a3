package io.orderflow.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaFormatter;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The build's stand-in for a schema registry's compatibility check: every contract must read data
 * written with every one of its released versions (schemas/released/&lt;n&gt;/&lt;FullName&gt;.avsc; a registry's
 * BACKWARD_TRANSITIVE), and every contract must have been released on purpose. See schemas/README.md for the procedure.
 */
class SchemaCompatibilityTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path RELEASED = MODULE.resolve("released");
    private static final Path CANDIDATES = MODULE.resolve("target").resolve("schema-candidates");

    // The breaking-change tests own their "released" schema, so they keep proving the check works
    // however the real contracts evolve.
    private static final String DEPOSIT_V1 = """
            {"type":"record","name":"FundsDeposited","namespace":"io.orderflow.contracts","fields":[
              {"name":"eventId","type":["null","string"],"default":null},
              {"name":"customerId","type":"string"},
              {"name":"amount","type":"long"},
              {"name":"currency","type":"string"}]}""";

    static Stream<Named<Schema>> contracts() {
        return Contracts.ALL.stream().map(schema -> Named.of(schema.getFullName(), schema));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void shouldReadDataOfEveryReleasedVersionWhenSchemaHasChanged(Schema current) throws IOException {
        // Given every released version (data written by any of them may still be in a topic or a store)
        List<Released> releases = releases(current.getFullName());

        for (Released released : releases) {
            // When
            Optional<String> incompatibility = incompatibility(current, released.schema());

            // Then
            if (incompatibility.isPresent()) {
                fail(current.getFullName() + " cannot read data written with its released version "
                        + released.version() + " (" + MODULE.relativize(released.file()) + "), so a "
                        + "consumer or store running this build would fail on existing records:\n"
                        + incompatibility.get()
                        + "\nMake the change backward compatible: give new fields a default, keep field types (or "
                        + "only widen them, e.g. int to long), rename only with an alias, and remove enum symbols "
                        + "only from an enum that has a default.");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contracts")
    void shouldHaveReleasedVersionWhenSchemaIsAContract(Schema current) throws IOException {
        // Given
        String currentJson = SchemaFormatter.format("json/pretty", current) + "\n";

        // When
        Optional<Released> released = newestRelease(current.getFullName());

        // Then: whatever differs from its release is offered as a candidate for the next release
        if (released.isEmpty() || !Files.readString(released.get().file()).equals(currentJson)) {
            Files.createDirectories(CANDIDATES);
            Files.writeString(CANDIDATES.resolve(fileName(current.getFullName())), currentJson);
        }
        if (released.isEmpty()) {
            fail(current.getFullName() + " has never been released. Release a new schema on purpose: copy "
                    + MODULE.relativize(CANDIDATES.resolve(fileName(current.getFullName()))) + " into released/<n>/ "
                    + "(n = one more than the highest existing version directory, " + (highestVersion() + 1)
                    + " now) and commit it. See schemas/README.md.");
        }
        assertThat(released.get().schema().getFullName()).isEqualTo(current.getFullName());
    }

    @Test
    void shouldReportIncompatibleWhenNewFieldHasNoDefault() {
        // Given a released deposit and a change that adds a field without a default, which old records lack
        Schema released = parse(DEPOSIT_V1);
        Schema changed = parse(DEPOSIT_V1.replace("\"fields\":[", "\"fields\":[{\"name\":\"note\",\"type\":\"string\"},"));

        // When
        Optional<String> incompatibility = incompatibility(changed, released);

        // Then
        assertThat(incompatibility).hasValueSatisfying(message -> assertThat(message)
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("note"));
    }

    @Test
    void shouldReportIncompatibleWhenFieldTypeChanges() {
        // Given a released deposit and a change of amount from long to string
        Schema released = parse(DEPOSIT_V1);
        Schema changed = parse(DEPOSIT_V1.replace("\"type\":\"long\"", "\"type\":\"string\""));

        // When
        Optional<String> incompatibility = incompatibility(changed, released);

        // Then
        assertThat(changed).isNotEqualTo(released);
        assertThat(incompatibility).hasValueSatisfying(message -> assertThat(message)
                .contains("TYPE_MISMATCH").contains("/fields/2/type"));
    }

    @Test
    void shouldReportCompatibleWhenNewFieldHasDefault() {
        // Given a released deposit and a change that adds an optional field
        Schema released = parse(DEPOSIT_V1);
        Schema changed = parse(DEPOSIT_V1.replace("\"fields\":[",
                "\"fields\":[{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null},"));

        // When
        Optional<String> incompatibility = incompatibility(changed, released);

        // Then
        assertThat(incompatibility).isEmpty();
    }

    /** Avro's verdict on whether {@code reader} can read data written with {@code writer}; empty if it can. */
    private static Optional<String> incompatibility(Schema reader, Schema writer) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return Optional.empty();
        }
        return Optional.of(result.getResult().getIncompatibilities().stream()
                .map(i -> "  - " + i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining("\n")));
    }

    private static Optional<Released> newestRelease(String fullName) throws IOException {
        List<Released> releases = releases(fullName);
        return releases.isEmpty() ? Optional.empty() : Optional.of(releases.get(releases.size() - 1));
    }

    /** Every released version of a schema, oldest first; a version directory holds only what changed in it. */
    private static List<Released> releases(String fullName) throws IOException {
        List<Released> releases = new java.util.ArrayList<>();
        for (int version : versions().stream().sorted().toList()) {
            Path file = RELEASED.resolve(Integer.toString(version)).resolve(fileName(fullName));
            if (Files.exists(file)) {
                releases.add(new Released(version, file, parse(Files.readString(file))));
            }
        }
        return releases;
    }

    private static int highestVersion() throws IOException {
        return versions().stream().max(Integer::compare).orElse(0);
    }

    private static List<Integer> versions() throws IOException {
        if (!Files.isDirectory(RELEASED)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(RELEASED)) {
            return dirs.filter(Files::isDirectory)
                    .map(dir -> dir.getFileName().toString())
                    .filter(name -> name.matches("[1-9][0-9]*"))
                    .map(Integer::valueOf)
                    .toList();
        }
    }

    private static String fileName(String fullName) {
        return fullName + ".avsc";
    }

    // Each released file is self-contained, so each gets its own parser (no shared named types).
    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    private record Released(int version, Path file, Schema schema) {
    }
}
