package io.pgfleet.events.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The current schemas keep every consumer and publisher of the released {@code v1} contract working
 * (events-schema/src/main/resources/released/v1, committed as released and never regenerated).
 */
class CompatibilityTest {

    private static final Path RELEASED_V1 = Path.of("src/main/resources/released/v1");

    @Test
    void theCurrentSchemasKeepV1Working() throws IOException {
        Map<String, JsonNode> released = Contract.released("v1");
        Map<String, String> current = Contract.schemaFiles();
        try (Stream<Path> files = Files.list(RELEASED_V1)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("every released payload is still in the contract").isNotEmpty().allMatch(current::containsKey);
        }
        assertThat(released).hasSize(9);
        for (Map.Entry<String, JsonNode> schema : released.entrySet()) {
            assertThat(Compatibility.breaks(schema.getValue(), current(schema.getKey()))).as(schema.getKey()).isEmpty();
        }
    }

    @Test
    void aRemovedFieldBreaks() {
        ObjectNode changed = current("provision.schema.json");
        ((ObjectNode) changed.at("/$defs/PostgresSpec/properties")).remove("replicas");
        assertThat(Compatibility.breaks(released("provision.schema.json"), changed)).containsExactly("spec.replicas: removed");
    }

    @Test
    void aRetypedFieldBreaks() {
        ObjectNode changed = current("status.schema.json");
        ((ObjectNode) changed.at("/properties/time")).put("type", "integer").remove("format");
        ((ObjectNode) changed.at("/$defs/FieldError/properties/path")).put("type", "array");
        assertThat(Compatibility.breaks(released("status.schema.json"), changed))
                .containsExactlyInAnyOrder("time: type changed from [string] to [integer]", "errors[].path: type changed from [string] to [array]");
    }

    @Test
    void aNewRequiredFieldBreaksButANewOptionalOneDoesNot() {
        ObjectNode optional = current("add-user.schema.json");
        ((ObjectNode) optional.at("/properties")).putObject("comment").put("type", "string");
        assertThat(Compatibility.breaks(released("add-user.schema.json"), optional)).isEmpty();

        ((ArrayNode) optional.get("required")).add("comment");
        assertThat(Compatibility.breaks(released("add-user.schema.json"), optional)).containsExactly("comment: required now (it was optional, or new)");
    }

    @Test
    void aRemovedEnumValueBreaksButAnAddedOneDoesNot() {
        ObjectNode added = current("status.schema.json");
        ((ArrayNode) added.at("/$defs/Phase/enum")).add("PAUSED");
        assertThat(Compatibility.breaks(released("status.schema.json"), added)).isEmpty();

        ObjectNode removed = current("status.schema.json");
        ArrayNode phases = (ArrayNode) removed.at("/$defs/Phase/enum");
        for (int i = 0; i < phases.size(); i++) {
            if (phases.get(i).asText().equals("DEGRADED")) {
                phases.remove(i);
            }
        }
        assertThat(Compatibility.breaks(released("status.schema.json"), removed)).containsExactly("phase: enum value DEGRADED removed");
    }

    @Test
    void aChangeDeepInAMapOfRecordsIsFound() {
        ObjectNode changed = current("provision.schema.json");
        ((ObjectNode) changed.at("/$defs/User/properties")).remove("superuser");
        assertThat(Compatibility.breaks(released("provision.schema.json"), changed)).containsExactly("spec.users{}.superuser: removed");
    }

    private static JsonNode released(String file) {
        return Contract.released("v1").get(file);
    }

    private static ObjectNode current(String file) {
        try {
            return (ObjectNode) Json.mapper().readTree(Contract.schemaFiles().get(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
