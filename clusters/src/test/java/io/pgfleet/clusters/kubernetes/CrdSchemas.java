package io.pgfleet.clusters.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The structural schemas of CloudNativePG's CRDs (copied under {@code src/test/resources/cnpg/} from the 1.30.0 release
 * and the Barman Cloud plugin v0.14.0), read as JSON Schema draft 4 (OpenAPI v3's base). An API server with strict field
 * validation refuses fields a schema does not declare, so every object that declares its properties (and does not keep
 * unknown fields) gets {@code additionalProperties: false} here. CEL rules ({@code x-kubernetes-validations}) are not
 * evaluated.
 */
final class CrdSchemas {

    private CrdSchemas() {
    }

    /** The messages validating {@code manifest} against the {@code version} schema of the CRD in {@code file} ({@code []}: valid). */
    static List<String> problems(String file, String version, Object manifest) {
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(strict(schemaOf(file, version)));
        Set<ValidationMessage> messages = schema.validate(Json.mapper().valueToTree(manifest));
        return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private static JsonNode schemaOf(String file, String version) {
        try (InputStream in = CrdSchemas.class.getResourceAsStream("/cnpg/" + file)) {
            JsonNode crd = Json.yamlMapper().readTree(in);
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (v.path("name").asText().equals(version)) {
                    return v.path("schema").path("openAPIV3Schema").deepCopy();
                }
            }
            throw new IllegalArgumentException(file + " has no version " + version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode strict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.fields().forEachRemaining(field -> strict(field.getValue()));
        } else if (node.isArray()) {
            node.forEach(CrdSchemas::strict);
        }
        return node;
    }
}
