package io.pgfleet.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.json.SchemaGenerator;
import io.pgfleet.events.status.StatusEvent;
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
    }

    private Contract() {
    }

    /** Every command payload, then the status event. */
    public static List<Payload> payloads() {
        List<Payload> payloads = new ArrayList<>();
        for (CommandType type : CommandType.values()) {
            payloads.add(new Payload(type.id() + ".schema.json", type.payloadType(), type.ceType(), type.defaultTopic()));
        }
        payloads.add(new Payload("status.schema.json", StatusEvent.class, StatusEvent.CE_TYPE, StatusEvent.DEFAULT_TOPIC));
        return payloads;
    }

    /** File name to pretty-printed JSON Schema, as committed under {@code events-schema/src/main/resources/schemas}. */
    public static Map<String, String> schemaFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        for (Payload payload : payloads()) {
            files.put(payload.schemaFile(), pretty(SchemaGenerator.schema(payload.type(), payload.schemaFile())));
        }
        return files;
    }

    static String pretty(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
