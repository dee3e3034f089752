package io.pgfleet.events.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The payloads other teams build against, and the JSON Schema file of each. */
public final class Contract {

    /**
     * A payload of the contract.
     *
     * @param schemaFile file name of its JSON Schema, e.g. {@code provision.schema.json}
     * @param type       its record
     * @param ceType     the CloudEvents type it travels with
     * @param topic      its default topic
     */
    public record Payload(String schemaFile, Class<?> type, String ceType, String topic) {

        /** The versioned URI of its schema: its {@code $id} and the CloudEvents {@code dataschema} of its records. */
        public URI dataSchema() {
            return SchemaGenerator.id(CommandType.VERSION, schemaFile);
        }
    }

    /** Where the schemas of a released version are kept as they were released, e.g. {@code released/v1/}. */
    public static final String RELEASED = "released/";

    private Contract() {
    }

    /** Every command payload, then the fleet-state record and the status event. */
    public static List<Payload> payloads() {
        List<Payload> payloads = new ArrayList<>();
        for (CommandType type : CommandType.values()) {
            payloads.add(new Payload(type.schemaFile(), type.payloadType(), type.ceType(), type.defaultTopic()));
        }
        payloads.add(new Payload(InstanceState.SCHEMA_FILE, InstanceState.class, InstanceState.CE_TYPE, InstanceState.DEFAULT_TOPIC));
        payloads.add(new Payload(StatusEvent.SCHEMA_FILE, StatusEvent.class, StatusEvent.CE_TYPE, StatusEvent.DEFAULT_TOPIC));
        return payloads;
    }

    /** File name to pretty-printed JSON Schema, as committed under {@code events-schema/src/main/resources/schemas}. */
    public static Map<String, String> schemaFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        for (Payload payload : payloads()) {
            files.put(payload.schemaFile(), pretty(SchemaGenerator.schema(payload.type(), payload.dataSchema())));
        }
        return files;
    }

    /**
     * The schemas of a released version as they were released (file name to schema), from
     * {@code events-schema/src/main/resources/released/<version>}: what {@link Compatibility} holds the current ones to.
     */
    public static Map<String, JsonNode> released(String version) {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        for (Payload payload : payloads()) {
            try (InputStream in = Contract.class.getResourceAsStream("/" + RELEASED + version + "/" + payload.schemaFile())) {
                if (in != null) {
                    schemas.put(payload.schemaFile(), Json.mapper().readTree(in));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the released schema " + payload.schemaFile(), e);
            }
        }
        return schemas;
    }

    static String pretty(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
