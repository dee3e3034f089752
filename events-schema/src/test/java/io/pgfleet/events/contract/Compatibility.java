package io.pgfleet.events.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a payload's schema still serves those who built against a released one. Both sides read the
 * same topics: a consumer of the released contract must read every payload the new schema allows, and a
 * publisher of the released contract must still be accepted. What breaks either (and is reported):
 * a field removed, a field's type or format changed, a field required that was not, an enum value removed.
 * Adding an optional field or an enum value keeps both working. Descriptions and ids are not compared.
 */
public final class Compatibility {

    private Compatibility() {
    }

    /**
     * Every way {@code current} breaks the users of {@code released}, one line each, naming the field
     * ({@code spec.replicas}, {@code errors[].path}) and what changed; empty when it breaks nothing.
     */
    public static List<String> breaks(JsonNode released, JsonNode current) {
        List<String> breaks = new ArrayList<>();
        compare("", released, released, current, current, breaks, new HashSet<>());
        return breaks;
    }

    private static void compare(String path, JsonNode oldRoot, JsonNode oldNode, JsonNode newRoot, JsonNode newNode,
                                List<String> breaks, Set<String> seen) {
        String oldRef = oldNode.path("$ref").asText("");
        String newRef = newNode.path("$ref").asText("");
        if (!(oldRef + "|" + newRef).equals("|") && !seen.add(path + "|" + oldRef + "|" + newRef)) {
            return; // a recursive definition already compared at this place
        }
        JsonNode before = resolve(oldRoot, oldNode);
        JsonNode after = resolve(newRoot, newNode);
        String where = path.isEmpty() ? "the payload" : path;

        Set<String> oldTypes = types(before);
        Set<String> newTypes = types(after);
        if (!oldTypes.equals(newTypes)) {
            breaks.add(where + ": type changed from " + oldTypes + " to " + newTypes);
            return;
        }
        if (!before.path("format").asText("").equals(after.path("format").asText(""))) {
            breaks.add(where + ": format changed from '" + before.path("format").asText("") + "' to '" + after.path("format").asText("") + "'");
        }
        if (before.has("enum")) {
            Set<String> kept = values(after.path("enum"));
            for (String value : values(before.path("enum"))) {
                if (after.has("enum") && !kept.contains(value)) {
                    breaks.add(where + ": enum value " + value + " removed");
                }
            }
        }
        Set<String> required = values(before.path("required"));
        for (String field : values(after.path("required"))) {
            if (!required.contains(field)) {
                breaks.add(join(path, field) + ": required now (it was optional, or new)");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = before.path("properties").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode kept = after.path("properties").get(field.getKey());
            if (kept == null) {
                breaks.add(join(path, field.getKey()) + ": removed");
            } else {
                compare(join(path, field.getKey()), oldRoot, field.getValue(), newRoot, kept, breaks, seen);
            }
        }
        if (before.has("items") && after.has("items")) {
            compare(path + "[]", oldRoot, before.get("items"), newRoot, after.get("items"), breaks, seen);
        }
        if (before.path("additionalProperties").isObject() && after.path("additionalProperties").isObject()) {
            compare(path + "{}", oldRoot, before.get("additionalProperties"), newRoot, after.get("additionalProperties"), breaks, seen);
        }
        if (before.has("anyOf")) {
            JsonNode alternatives = after.path("anyOf");
            if (alternatives.size() != before.get("anyOf").size()) {
                breaks.add(where + ": alternatives changed from " + before.get("anyOf").size() + " to " + alternatives.size());
            } else {
                for (int i = 0; i < alternatives.size(); i++) {
                    compare(path, oldRoot, before.get("anyOf").get(i), newRoot, alternatives.get(i), breaks, seen);
                }
            }
        }
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        String ref = node.path("$ref").asText("");
        if (ref.isEmpty()) {
            return node;
        }
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local references are compared, not " + ref);
        }
        JsonNode target = root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new IllegalArgumentException("reference " + ref + " names nothing in its schema");
        }
        return target;
    }

    /** The JSON types a node allows; an object with properties but no type counts as an object. */
    private static Set<String> types(JsonNode node) {
        JsonNode type = node.get("type");
        if (type == null) {
            return node.has("properties") ? Set.of("object") : node.has("anyOf") ? Set.of("anyOf") : Set.of("any");
        }
        return type.isArray() ? values(type) : Set.of(type.asText());
    }

    private static Set<String> values(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
