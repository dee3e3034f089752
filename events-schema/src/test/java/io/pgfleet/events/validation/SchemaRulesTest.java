package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.contract.Contract;
import io.pgfleet.events.examples.ReferenceExamples;
import io.pgfleet.events.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The JSON Schemas carry every rule JSON Schema can express, so that a publisher without pgfleet's code can check a
 * payload before it publishes it: every example of the API reference is valid, and every bad input of
 * {@link BadInputTableTest} is invalid, but for the rows below, each with why the schemas let it through: most rules need
 * more than a schema says (a catalogue, a parser, a limit the operator sets, two fields compared). None is left that a
 * schema could say and the schemas do not.
 */
class SchemaRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, String> FILES = Contract.schemaFiles();

    /** Why a rule is not in the schemas: beyond what JSON Schema says, or said by it but not carried yet. */
    private static final String DUPLICATE = "a key given twice is a property of the text: a schema sees the parsed value";
    private static final String QUANTITY = "a Kubernetes quantity and its size are parsed by the validator";
    private static final String RELATION = "relates two fields, or a field and a default (a quorum below the replicas, min <= max)";
    private static final String CATALOGUE = "PostgreSQL's catalogue of settings and the settings pgfleet forbids (read from the server's "
            + "own catalogue, SettingsCatalogue)";
    private static final String OPERATOR = "a limit or allowlist the operator configures: not the same in every install";
    private static final String CRON = "a cron expression, parsed by cron-utils";
    private static final String RETENTION = "restic's forget flags, parsed by the validator";
    private static final String S3 = "an S3 location and the endpoint rules (no IP address in any notation, the allowlist)";
    private static final String DECLARED = "relates two parts of the document (a member must be a declared user, a user no group role)";
    private static final String SEALED = "a secret may be sealed (a JWE string longer than the value it seals): its bounds apply once opened";

    /** Bad documents the schemas let through, and why. */
    private static final Map<String, String> BEYOND_DOCUMENTS = reasons(
            DUPLICATE, "a parameter given twice", "a user given twice", "replicas given twice", "spec given twice",
            QUANTITY, "size with a unit Kubernetes does not know", "zero size", "a size with an exponent out of range",
            RELATION, "maxSyncReplicas against the default replicas", "maxSyncReplicas not below replicas", "min above max",
            "wal_level too low for replicas", "pooler pools as large as the server allows",
            "pooler pool larger than PostgreSQL's default max_connections", "read-only pool without a standby",
            CATALOGUE, "managed parameter archive_command", "managed parameter listen_addresses", "managed parameter port",
            "managed parameter shared_preload_libraries", "managed parameter ssl_cert_file", "managed hba_file", "misspelt max_connections",
            "misspelt shared_buffers", "a setting that does not exist", "a setting of PostgreSQL 16", "session_preload_libraries",
            "local_preload_libraries", "dynamic_library_path", "jit_provider", "krb_server_keyfile", "include of a file", "include_dir",
            "include_if_exists", "setting of an extension that is not allowed", "a developer option", "TLS 1.0 allowed by the document",
            "slots that keep WAL without limit", "slots that keep more WAL than half the volume", "wal_level logical spelt wrong",
            OPERATOR, "17 replicas", "a million replicas", "a size above the limit", "a size in exabytes", "too many users",
            "too many databases", "extension outside the allowlist",
            CRON, "schedule that never fires", "schedule with a macro", "schedule with four fields", "schedule with hour 24",
            "schedule with minute 61", "drill schedule in words", "drill schedule that never fires",
            RETENTION, "cleanup with --prune-all", "cleanup with a negative count", "cleanup with a shell command", "cleanup with a zero duration",
            "cleanup with an unknown flag", "cleanup with command substitution",
            S3, "bad bucket", "an IP address as S3 endpoint", "a decimal IP address as S3 endpoint", "a hexadecimal IP address as S3 endpoint",
            "the metadata address as S3 endpoint", "an IPv6 loopback as S3 endpoint", "localhost as S3 endpoint",
            DECLARED, "role member not declared", "user named like a group role",
            SEALED, "password of 1025 characters");

    /** Bad command payloads the schemas let through, and why. */
    private static final Map<String, String> BEYOND_COMMANDS = reasons(
            RELATION, "scale {\"instance\":\"pg\",\"replicas\":3,\"quorum\":{\"maxSyncReplicas\":3}}",
            QUANTITY, "scale {\"instance\":\"pg\",\"size\":\"-1Gi\"}",
            OPERATOR, "scale {\"instance\":\"pg\",\"replicas\":1000000}", "scale {\"instance\":\"pg\",\"replicas\":17}",
            "scale {\"instance\":\"pg\",\"size\":\"100Pi\"}",
            "add-extension {\"instance\":\"pg\",\"database\":\"app\",\"extension\":\"plperlu\"}");

    /** {@code reason, row, row, ..., reason, row, ...}: a reason (one of the constants above) applies to the rows after it. */
    private static Map<String, String> reasons(String... items) {
        Set<String> known = Set.of(DUPLICATE, QUANTITY, RELATION, CATALOGUE, OPERATOR, CRON, RETENTION, S3, DECLARED, SEALED);
        Map<String, String> reasons = new LinkedHashMap<>();
        String reason = null;
        for (String item : items) {
            if (known.contains(item)) {
                reason = item;
            } else {
                reasons.put(item, reason);
            }
        }
        return reasons;
    }

    private static JsonSchema schema(String file) throws Exception {
        return SCHEMAS.getSchema(Json.mapper().readTree(FILES.get(file)));
    }

    /** Whether the schema refuses the text, or a parser does before it (a duplicate key, broken YAML): nothing to validate. */
    private static boolean invalid(JsonSchema schema, ObjectMapper parser, String text) {
        JsonNode payload;
        try {
            payload = parser.readTree(text);
        } catch (Exception e) {
            return true;
        }
        return !schema.validate(payload).isEmpty();
    }

    @Test
    void everyExampleOfTheApiReferenceIsValid() throws Exception {
        JsonSchema provision = schema(CommandType.PROVISION.schemaFile());
        List<ReferenceExamples.Block> documents = ReferenceExamples.documents();
        assertThat(documents).isNotEmpty();
        for (ReferenceExamples.Block document : documents) {
            Set<ValidationMessage> errors = provision.validate(YAML.readTree(document.text()));
            assertThat(errors).as(document.toString()).isEmpty();
        }
    }

    @Test
    void everyBadDocumentTheSchemaCanJudgeIsInvalid() throws Exception {
        JsonSchema provision = schema(CommandType.PROVISION.schemaFile());
        List<String> passed = new ArrayList<>();
        List<String> judged = new ArrayList<>();
        for (Arguments row : BadInputTableTest.badDocuments().toList()) {
            String what = (String) row.get()[0];
            boolean invalid = invalid(provision, YAML, (String) row.get()[1]);
            if (!invalid && !BEYOND_DOCUMENTS.containsKey(what)) {
                passed.add(what);
            }
            if (invalid && BEYOND_DOCUMENTS.containsKey(what)) {
                judged.add(what);
            }
        }
        assertThat(passed).as("bad documents the schema lets through").isEmpty();
        assertThat(judged).as("listed as beyond the schema, yet the schema refuses them: take them off the list").isEmpty();
    }

    @Test
    void everyBadCommandTheSchemaCanJudgeIsInvalid() throws Exception {
        List<String> passed = new ArrayList<>();
        List<String> judged = new ArrayList<>();
        for (Arguments row : BadInputTableTest.badCommands().toList()) {
            CommandType type = (CommandType) row.get()[0];
            String json = (String) row.get()[1];
            String what = type.id() + " " + json;
            boolean invalid = invalid(schema(type.schemaFile()), Json.mapper(), json);
            if (!invalid && !BEYOND_COMMANDS.containsKey(what)) {
                passed.add(what);
            }
            if (invalid && BEYOND_COMMANDS.containsKey(what)) {
                judged.add(what);
            }
        }
        assertThat(passed).as("bad commands the schema lets through").isEmpty();
        assertThat(judged).as("listed as beyond the schema, yet the schema refuses them: take them off the list").isEmpty();
    }
}
