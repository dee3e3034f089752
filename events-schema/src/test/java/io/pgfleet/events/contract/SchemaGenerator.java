package io.pgfleet.events.contract;

import io.pgfleet.events.Doc;
import io.pgfleet.events.SchemaIds;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.events.json.Shape;
import io.pgfleet.events.json.Shapes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.json.Related;
import io.pgfleet.events.json.ScalarValues;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.net.URI;

/**
 * JSON Schemas (draft 2020-12) of the payloads, for publishers that do not use this library. They describe the
 * structure and every rule JSON Schema can express (names' patterns and lengths, minimums, fixed values: from the same
 * {@link io.pgfleet.events.NameRules} the validator uses); the rules that need more (a quorum below the replicas, a
 * quantity, a cron expression, settings the cluster manages, limits the operator sets) are stated in the descriptions
 * and enforced by {@link io.pgfleet.events.validation.CommandValidator}.
 */
public final class SchemaGenerator {

    /** Where the schemas say they live: {@code <BASE_ID><version>/<file>}. */
    public static final String BASE_ID = SchemaIds.BASE_ID;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The packages of what pgfleet emits (status events, the fleet-state record), whose schemas are open to new fields. */
    private static final Set<String> EMITTED = Set.of(StatusEvent.class.getPackageName(), InstanceState.class.getPackageName());

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
                nullable.put("title", ((Shape.Obj) map.values()).type().getSimpleName() + "Entry");   // named for generated clients
                nullable.putArray("anyOf").add(values).add(NODES.objectNode().put("type", "null"));
                values = nullable;
            }
            node.set("additionalProperties", values);
        } else if (shape instanceof Shape.ListOf list) {
            node.put("type", "array");
            node.set("items", node(list.items(), defs));
        } else if (shape instanceof Shape.OneOf oneOf) {
            // A definition of its own, named after its enum, so that generated clients get a named type, not an anonymous one.
            if (!defs.containsKey(oneOf.name())) {
                ObjectNode values = NODES.objectNode().put("title", oneOf.name()).put("type", "string");
                oneOf.values().forEach(values.putArray("enum")::add);
                defs.put(oneOf.name(), values);
            }
            node.put("$ref", "#/$defs/" + oneOf.name());
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
            if (prop.doc() != null) {
                rules(prop.doc(), prop.shape(), propNode);
            }
            RecordComponent component = component(obj.type(), prop.name());
            if (component != null) {
                componentRules(component, propNode);
            }
            properties.set(prop.name(), propNode);
            if (prop.required()) {
                required.add(prop.name());
            }
        }
        if (!required.isEmpty()) {
            node.set("required", required);
        }
        Related related = obj.type().getAnnotation(Related.class);
        if (related != null) {
            node.set("allOf", related(related));
        }
        // A command's unknown field is refused (the services say which); an event pgfleet emits may gain fields within v1,
        // which a consumer ignores: its schema stays open to them.
        if (!EMITTED.contains(obj.type().getPackageName())) {
            node.put("additionalProperties", false);
        }
        return node;
    }

    private static RecordComponent component(Class<?> type, String name) {
        if (!type.isRecord()) {
            return null;
        }
        return Arrays.stream(type.getRecordComponents()).filter(c -> c.getName().equals(name)).findFirst().orElse(null);
    }

    /**
     * What a component's Java type and {@link ScalarValues} say: an {@code int} stays within its range (a larger number
     * is refused, not wrapped), a scalar map's string values within their bounds.
     */
    private static void componentRules(RecordComponent component, ObjectNode node) {
        if (component.getType() == int.class || component.getType() == Integer.class) {
            node.put("maximum", Integer.MAX_VALUE);
            if (!node.has("minimum")) {
                node.put("minimum", Integer.MIN_VALUE);
            }
        }
        ScalarValues scalar = component.getAnnotation(ScalarValues.class);
        if (scalar != null && node.get("additionalProperties") instanceof ObjectNode values) {
            if (scalar.minLength() > 0) {
                values.put("minLength", scalar.minLength());
            }
            if (scalar.maxLength() > 0) {
                values.put("maxLength", scalar.maxLength());
            }
            if (!scalar.pattern().isEmpty()) {
                values.put("pattern", "^(" + scalar.pattern() + ")$");
            }
        }
    }

    /** The rules between a record's fields, each a schema of {@code allOf}. */
    private static ArrayNode related(Related related) {
        ArrayNode all = NODES.arrayNode();
        if (related.together().length > 0) {
            ObjectNode dependent = all.addObject().putObject("dependentRequired");
            for (String field : related.together()) {
                ArrayNode others = dependent.putArray(field);
                Arrays.stream(related.together()).filter(other -> !other.equals(field)).forEach(others::add);
            }
        }
        if (related.atLeastOne().length > 0) {
            ArrayNode anyOf = all.addObject().putArray("anyOf");
            Arrays.stream(related.atLeastOne()).forEach(field -> anyOf.addObject().putArray("required").add(field));
        }
        if (related.firstExcludesOthers().length > 0) {
            String first = related.firstExcludesOthers()[0];
            ArrayNode others = all.addObject().putObject("dependentSchemas").putObject(first).putObject("not").putArray("anyOf");
            Arrays.stream(related.firstExcludesOthers()).skip(1).forEach(field -> others.addObject().putArray("required").add(field));
        }
        if (related.trueRequires().length > 0) {
            String flag = related.trueRequires()[0];
            ObjectNode rule = all.addObject();
            ObjectNode condition = rule.putObject("if");
            condition.putObject("properties").putObject(flag).put("const", true);
            condition.putArray("required").add(flag);
            ArrayNode then = rule.putObject("then").putArray("required");
            Arrays.stream(related.trueRequires()).skip(1).forEach(then::add);
        }
        return all;
    }

    /**
     * The rules of a {@link Doc} JSON Schema can express: a pattern (anchored) and a length on a string, on a map's keys
     * ({@code propertyNames}) or on a list's items; a minimum on an integer; the
     * least length and the values of a string (of a map's values).
     */
    private static void rules(Doc doc, Shape shape, ObjectNode node) {
        ObjectNode target = shape instanceof Shape.MapOf ? node.putObject("propertyNames")
                : shape instanceof Shape.ListOf ? (ObjectNode) node.get("items") : node;
        if (!doc.pattern().isEmpty()) {
            target.put("pattern", "^(" + doc.pattern() + ")$");
        }
        if (doc.maxLength() > 0) {
            target.put("maxLength", doc.maxLength());
        }
        if (shape instanceof Shape.MapOf && target.isEmpty()) {
            node.remove("propertyNames");
        }
        if (doc.minimum() != Long.MIN_VALUE) {
            node.put("minimum", doc.minimum());
        }
        if (doc.unique()) {
            node.put("uniqueItems", true);
        }
        if (doc.minLength() > 0) {
            node.put("minLength", doc.minLength());
        }
        if (doc.values().length > 0) {
            ObjectNode valued = shape instanceof Shape.MapOf ? (ObjectNode) node.get("additionalProperties") : node;
            if (!doc.valuesName().isEmpty()) {
                valued.put("title", doc.valuesName());
            }
            ArrayNode values = valued.putArray("enum");
            for (String value : doc.values()) {
                values.add(value);
            }
        }
    }
}
