package io.pgfleet.events.contract;

import io.pgfleet.events.SchemaIds;
import io.pgfleet.events.json.Shape;
import io.pgfleet.events.json.Shapes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;
import java.net.URI;

/**
 * JSON Schemas (draft 2020-12) of the payloads, for publishers that do not use this library. They
 * describe structure; the rules that need more than structure are stated in the descriptions and
 * enforced by {@link io.pgfleet.events.validation.CommandValidator}.
 */
public final class SchemaGenerator {

    /** Where the schemas say they live: {@code <BASE_ID><version>/<file>}. */
    public static final String BASE_ID = SchemaIds.BASE_ID;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SchemaGenerator() {
    }

    /** The versioned URI of a schema file, e.g. {@code https://pgfleet.io/schemas/v1/status.schema.json}. */
    public static URI id(String version, String fileName) {
        return SchemaIds.id(version, fileName);
    }

    /** The schema of a payload record, its nested records under {@code $defs}; {@code id} is its {@code $id}. */
    public static ObjectNode schema(Class<?> type, URI id) {
        Map<String, ObjectNode> defs = new TreeMap<>();
        Shape.Obj root = (Shape.Obj) Shapes.of(type);
        ObjectNode schema = NODES.objectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("$id", id.toString());
        schema.put("title", type.getSimpleName());
        schema.setAll(objectSchema(root, defs));
        if (!defs.isEmpty()) {
            ObjectNode defsNode = schema.putObject("$defs");
            defs.forEach(defsNode::set);
        }
        return schema;
    }

    private static ObjectNode node(Shape shape, Map<String, ObjectNode> defs) {
        ObjectNode node = NODES.objectNode();
        if (shape instanceof Shape.Obj obj) {
            String name = obj.type().getSimpleName();
            if (!defs.containsKey(name)) {
                defs.put(name, NODES.objectNode()); // placeholder against recursion
                defs.put(name, objectSchema(obj, defs));
            }
            node.put("$ref", "#/$defs/" + name);
        } else if (shape instanceof Shape.MapOf map) {
            node.put("type", "object");
            ObjectNode values = node(map.values(), defs);
            if (map.values() instanceof Shape.Obj) {
                // A bare `name:` entry means an entry with every default.
                ObjectNode nullable = NODES.objectNode();
                nullable.putArray("anyOf").add(values).add(NODES.objectNode().put("type", "null"));
                values = nullable;
            }
            node.set("additionalProperties", values);
        } else if (shape instanceof Shape.ListOf list) {
            node.put("type", "array");
            node.set("items", node(list.items(), defs));
        } else if (shape instanceof Shape.OneOf oneOf) {
            node.put("type", "string");
            ArrayNode values = node.putArray("enum");
            oneOf.values().forEach(values::add);
        } else {
            switch ((Shape.Scalar) shape) {
                case STRING -> node.put("type", "string");
                case INTEGER -> node.put("type", "integer");
                case NUMBER -> node.put("type", "number");
                case BOOLEAN -> node.put("type", "boolean");
                case TIMESTAMP -> node.put("type", "string").put("format", "date-time");
                case PRIMITIVE -> node.putArray("type").add("string").add("number").add("boolean");
                case ANY -> {
                }
            }
        }
        return node;
    }

    private static ObjectNode objectSchema(Shape.Obj obj, Map<String, ObjectNode> defs) {
        ObjectNode node = NODES.objectNode();
        node.put("type", "object");
        if (!obj.description().isEmpty()) {
            node.put("description", obj.description());
        }
        ObjectNode properties = node.putObject("properties");
        ArrayNode required = NODES.arrayNode();
        for (Shape.Prop prop : obj.props()) {
            ObjectNode propNode = node(prop.shape(), defs);
            if (!prop.description().isEmpty()) {
                propNode.put("description", prop.description());
            }
            properties.set(prop.name(), propNode);
            if (prop.required()) {
                required.add(prop.name());
            }
        }
        if (!required.isEmpty()) {
            node.set("required", required);
        }
        node.put("additionalProperties", false);
        return node;
    }
}
