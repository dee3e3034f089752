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
import java.util.ArrayList;
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
    void deadLettersExamplesDescriptionsNamedEnumsAndTheLicenseAreThere() {
        ObjectNode doc = AsyncApiDoc.document();
        assertThat(doc.at("/channels/dead-letters/address").asText()).isEqualTo("{topic}.dlq");
        assertThat(doc.at("/channels/dead-letters/parameters/topic/enum").toString()).contains("pgfleet.command.provision", "pgfleet.command.switchover");
        assertThat(doc.at("/channels/tenant-dead-letters/address").asText()).isEqualTo("pgfleet.{namespace}.command.{type}.dlq");
        assertThat(doc.at("/components/messages/dead-letter/headers/properties").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("pgfleet_dlq_error", "pgfleet_dlq_origin", "pgfleet_dlq_value", "pgfleet_dlq_service");
        assertThat(doc.at("/operations/receive-dead-letters/action").asText()).isEqualTo("receive");
        for (CommandType type : CommandType.values()) {
            assertThat(doc.at("/operations/send-" + type.id() + "/description").asText()).startsWith(type.description()).contains("Taken by: ");
            assertThat(doc.at("/components/messages/" + type.id() + "/examples/0/headers/ce_type").asText()).isEqualTo(type.ceType());
        }
        assertThat(doc.at("/components/messages/provision/examples/0/payload/kind").asText()).isEqualTo("Postgres");
        assertThat(doc.at("/components/messages/status/examples").size()).isEqualTo(2);
        // Enums are named types of their own, not anonymous ones inline.
        assertThat(doc.at("/components/schemas/StatusEvent/properties/phase/$ref").asText()).isEqualTo("#/components/schemas/Phase");
        assertThat(doc.at("/components/schemas/Phase/enum").toString()).contains("ACCEPTED", "REJECTED");
        List<String> anonymous = new ArrayList<>();
        unnamed("", doc.get("components").get("schemas"), anonymous);
        assertThat(anonymous).as("enums and unions without a title (generated clients would call them AnonymousSchema_n)").isEmpty();
        assertThat(doc.at("/info/license/name").asText()).isEqualTo("Apache-2.0");
        assertThat(doc.at("/info/contact/name").asText()).isNotBlank();
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

    /** The places under {@code node} where an enum (of more than a schema's own const) or a union has no title. */
    private static void unnamed(String path, JsonNode node, List<String> found) {
        if (node.isObject()) {
            if ((node.has("enum") || node.has("anyOf") && !path.contains("/allOf")) && !node.has("title")) {
                found.add(path);
            }
            node.fields().forEachRemaining(field -> unnamed(path + "/" + field.getKey(), field.getValue(), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                unnamed(path + "/" + i, node.get(i), found);
            }
        }
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
