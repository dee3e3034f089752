package io.pgfleet.events.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/asyncapi.yaml} is a valid AsyncAPI 3.0 document (checked against the specification's own JSON Schema)
 * and what the records generate ({@link GeneratedFilesTest} keeps it current).
 */
class AsyncApiDocTest {

    private static final JsonSchema ASYNCAPI_3 = asyncApiSchema();

    @Test
    void theCommittedDocumentIsValidAsyncApi3() throws IOException {
        JsonNode committed = Json.yamlMapper().readTree(Files.readString(Path.of("../docs/asyncapi.yaml")));
        assertThat(problems(committed)).isEmpty();
        assertThat(committed.path("asyncapi").asText()).isEqualTo("3.0.0");
    }

    @Test
    void everyCommandAndTheStatusHaveAChannelAMessageAndAnOperation() {
        ObjectNode doc = AsyncApiDoc.document();
        for (CommandType type : CommandType.values()) {
            assertThat(doc.at("/channels/" + type.id() + "/address").asText()).isEqualTo(type.defaultTopic());
            assertThat(doc.at("/channels/tenant-" + type.id() + "/address").asText()).isEqualTo("pgfleet.{namespace}.command." + type.id());
            assertThat(doc.at("/components/messages/" + type.id() + "/headers/properties/ce_type/const").asText()).isEqualTo(type.ceType());
            assertThat(doc.at("/components/messages/" + type.id() + "/headers/properties/ce_dataschema/const").asText())
                    .isEqualTo(type.dataSchema().toString());
            assertThat(doc.at("/operations/send-" + type.id() + "/reply/channel/$ref").asText()).isEqualTo("#/channels/status");
        }
        assertThat(doc.at("/components/messages/provision/payload/$ref").asText()).isEqualTo("#/components/schemas/Postgres");
        assertThat(doc.at("/components/schemas/Postgres/properties/spec/$ref").asText()).isEqualTo("#/components/schemas/PostgresSpec");
        assertThat(doc.at("/components/messages/status/bindings/kafka/key/type").asText()).isEqualTo("string");
        assertThat(doc.at("/channels/status/bindings/kafka/topic").asText()).isEqualTo("pgfleet.status");
        assertThat(doc.at("/operations/receive-status/action").asText()).isEqualTo("receive");
        assertThat(doc.at("/channels/instances/address").asText()).isEqualTo("pgfleet.instances");
        assertThat(doc.at("/channels/instances/bindings/kafka/topicConfiguration/cleanup.policy/0").asText()).isEqualTo("compact");
        assertThat(doc.at("/components/messages/instance/payload/$ref").asText()).isEqualTo("#/components/schemas/InstanceState");
        assertThat(doc.at("/operations/receive-instances/action").asText()).isEqualTo("receive");
    }

    @Test
    void aBrokenCopyIsRefused() {
        ObjectNode noAddress = AsyncApiDoc.document();
        ((ObjectNode) noAddress.at("/channels/provision")).put("address", 42);
        assertThat(problems(noAddress)).isNotEmpty();

        ObjectNode badAction = AsyncApiDoc.document();
        ((ObjectNode) badAction.at("/operations/send-provision")).put("action", "publish"); // AsyncAPI 2's verb
        assertThat(problems(badAction)).isNotEmpty();

        ObjectNode unknownField = AsyncApiDoc.document();
        ((ObjectNode) unknownField.at("/components/messages/status")).put("topic", "pgfleet.status");
        assertThat(problems(unknownField)).isNotEmpty();
    }

    private static List<String> problems(JsonNode document) {
        return ASYNCAPI_3.validate(document).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private static JsonSchema asyncApiSchema() {
        try (InputStream in = AsyncApiDocTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(Json.mapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
