package io.pgfleet.events.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.status.StatusEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed JSON Schemas, docs/events.md and docs/asyncapi.yaml are what the records generate. When this fails,
 * regenerate with {@code mvn -pl events-schema test -Dpgfleet.regenerate=true} and commit the files.
 */
class GeneratedFilesTest {

    private static final Path SCHEMAS = Path.of("src/main/resources/schemas");
    private static final Path EVENTS_DOC = Path.of("../docs/events.md");
    private static final Path ASYNCAPI = Path.of("../docs/asyncapi.yaml");
    private static final boolean REGENERATE = Boolean.getBoolean("pgfleet.regenerate");

    @Test
    void theCommittedSchemasAreCurrent() throws IOException {
        Map<String, String> generated = Contract.schemaFiles();
        for (Map.Entry<String, String> file : generated.entrySet()) {
            check(SCHEMAS.resolve(file.getKey()), file.getValue());
        }
        try (var listed = Files.list(SCHEMAS)) {
            assertThat(listed.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(generated.keySet());
        }
    }

    @Test
    void theCommittedEventsPageIsCurrent() throws IOException {
        check(EVENTS_DOC, EventsDoc.render());
    }

    @Test
    void theCommittedAsyncApiDocumentIsCurrent() throws IOException {
        check(ASYNCAPI, AsyncApiDoc.render());
    }

    @Test
    void theSchemasDescribeTheExamples() throws Exception {
        String provision = Contract.schemaFiles().get("provision.schema.json");
        var schema = Json.mapper().readTree(provision);
        assertThat(schema.at("/properties/spec/$ref").asText()).isEqualTo("#/$defs/PostgresSpec");
        assertThat(schema.at("/$defs/PostgresSpec/properties/replicas/type").asText()).isEqualTo("integer");
        assertThat(schema.at("/$defs/PostgresSpec/additionalProperties").asBoolean()).isFalse();
        assertThat(schema.at("/required").toString()).contains("apiVersion", "kind", "metadata", "spec");
        assertThat(schema.at("/$defs/PostgresqlConfig/properties/parameters/additionalProperties/type").toString())
                .isEqualTo("[\"string\",\"number\",\"boolean\"]");
        for (StatusEvent event : Examples.statusEvents()) {
            assertThat(PayloadReader.fromJson(Json.mapper().writeValueAsBytes(event), StatusEvent.class).value()).isEqualTo(event);
        }
    }

    private static void check(Path path, String expected) throws IOException {
        if (REGENERATE) {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.writeString(path, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(path)).as(path + " is missing; regenerate with -Dpgfleet.regenerate=true").isTrue();
        assertThat(Files.readString(path, StandardCharsets.UTF_8))
                .as(path + " is stale; regenerate with mvn -pl events-schema test -Dpgfleet.regenerate=true").isEqualTo(expected);
    }
}
