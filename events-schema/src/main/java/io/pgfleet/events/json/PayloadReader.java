package io.pgfleet.events.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfleet.events.status.FieldError;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.nio.charset.StandardCharsets;

/**
 * Reads payloads strictly: every unknown field (a typo such as {@code replcias}), every value of the
 * wrong type and every missing required field is reported with its path, all at once, before
 * anything is bound.
 */
public final class PayloadReader {

    private PayloadReader() {
    }

    /**
     * Reads a JSON record value.
     *
     * @throws MalformedPayloadException when the bytes are not JSON
     */
    public static <T> Parsed<T> fromJson(byte[] json, Class<T> type) throws MalformedPayloadException {
        return fromParsed(parse(Json.mapper(), new String(json, StandardCharsets.UTF_8)), type);
    }

    /**
     * Reads a YAML or JSON document, as written by people (a file for {@code pgfleet apply -f}).
     * Syntax errors are reported as an error with an empty path.
     */
    public static <T> Parsed<T> fromText(String yamlOrJson, Class<T> type) {
        try {
            return fromParsed(parse(Json.yamlMapper(), yamlOrJson), type);
        } catch (MalformedPayloadException e) {
            return Parsed.failed(List.of(new FieldError("", e.getMessage())));
        }
    }

    /** Checks a parsed tree against the type's shape, then binds it. */
    public static <T> Parsed<T> fromTree(JsonNode tree, Class<T> type) {
        List<FieldError> errors = new ArrayList<>();
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return Parsed.failed(List.of(new FieldError("", "the payload is empty; expected an object")));
        }
        check(tree, Shapes.of(type), "", errors);
        if (!errors.isEmpty()) {
            return Parsed.failed(errors);
        }
        try {
            return Parsed.ok(Json.mapper().treeToValue(tree, type));
        } catch (JsonMappingException e) {
            return Parsed.failed(List.of(new FieldError(pathOf(e), unquoted(e.getOriginalMessage()))));
        } catch (JsonProcessingException e) {
            return Parsed.failed(List.of(new FieldError("", unquoted(e.getOriginalMessage()))));
        }
    }

    private static <T> Parsed<T> fromParsed(Parsed<JsonNode> tree, Class<T> type) {
        return tree.isOk() ? fromTree(tree.value(), type) : Parsed.failed(tree.errors());
    }

    /**
     * The tree of a text; a key given twice in one object, or values nested deeper than
     * {@link Json#MAX_NESTING}, are answered as errors with their path (the text is JSON, but not a payload).
     */
    private static Parsed<JsonNode> parse(ObjectMapper mapper, String text) throws MalformedPayloadException {
        try {
            return Parsed.ok(mapper.readTree(text));
        } catch (StreamConstraintsException e) {
            return Parsed.failed(List.of(new FieldError(pathAt(e), "values are nested too deeply: at most " + Json.MAX_NESTING
                    + " levels of objects and lists")));
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                return Parsed.failed(List.of(new FieldError(pathAt(e), "is given more than once in the same object; "
                        + "a field may appear once (which value was meant is not guessed)")));
            }
            var location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            throw new MalformedPayloadException("not valid " + (mapper == Json.mapper() ? "JSON" : "YAML or JSON") + where + ": "
                    + unquoted(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new MalformedPayloadException("unreadable payload: " + e.getMessage());
        }
    }

    private static void check(JsonNode node, Shape shape, String path, List<FieldError> errors) {
        if (shape instanceof Shape.Obj obj) {
            checkObject(node, obj, path, errors);
        } else if (shape instanceof Shape.MapOf map) {
            if (!node.isObject()) {
                errors.add(new FieldError(path, "must be an object, got " + describe(node)));
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                checkElement(entry.getValue(), map.values(), Paths.child(path, entry.getKey()), errors);
            }
        } else if (shape instanceof Shape.ListOf list) {
            if (!node.isArray()) {
                errors.add(new FieldError(path, "must be a list, got " + describe(node)));
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                checkElement(node.get(i), list.items(), Paths.index(path, i), errors);
            }
        } else if (shape instanceof Shape.OneOf oneOf) {
            if (!node.isTextual() || !oneOf.values().contains(node.asText())) {
                errors.add(new FieldError(path, "must be one of " + oneOf.values() + ", got " + describe(node)));
            }
        } else {
            checkScalar(node, (Shape.Scalar) shape, path, errors);
        }
    }

    /** A map value or list item: {@code null} means an empty object where an object is expected. */
    private static void checkElement(JsonNode node, Shape shape, String path, List<FieldError> errors) {
        if (node.isNull()) {
            if (!(shape instanceof Shape.Obj)) {
                errors.add(new FieldError(path, "must be " + noun(shape) + ", got null"));
            }
            return;
        }
        check(node, shape, path, errors);
    }

    private static void checkObject(JsonNode node, Shape.Obj obj, String path, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError(path, "must be an object, got " + describe(node)));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Shape.Prop prop = obj.prop(entry.getKey());
            String childPath = Paths.child(path, entry.getKey());
            if (prop == null) {
                errors.add(new FieldError(childPath, "unknown field; the fields here are "
                        + obj.props().stream().map(Shape.Prop::name).toList()));
            } else if (!entry.getValue().isNull()) {
                check(entry.getValue(), prop.shape(), childPath, errors);
            }
        }
        for (Shape.Prop prop : obj.props()) {
            JsonNode value = node.get(prop.name());
            if (prop.required() && (value == null || value.isNull())) {
                errors.add(new FieldError(Paths.child(path, prop.name()), "is required"));
            }
        }
    }

    private static void checkScalar(JsonNode node, Shape.Scalar scalar, String path, List<FieldError> errors) {
        boolean ok = switch (scalar) {
            case STRING -> node.isTextual();
            case INTEGER -> node.isIntegralNumber() && node.canConvertToInt();
            case NUMBER -> node.isNumber();
            case BOOLEAN -> node.isBoolean();
            case TIMESTAMP -> node.isTextual() && isInstant(node.asText());
            case PRIMITIVE -> node.isTextual() || node.isNumber() || node.isBoolean();
            case ANY -> true;
        };
        if (!ok) {
            errors.add(new FieldError(path, "must be " + scalar.noun() + ", got " + (secret(path) ? "another kind of value" : describe(node))));
        }
    }

    private static boolean isInstant(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String noun(Shape shape) {
        if (shape instanceof Shape.Scalar scalar) {
            return scalar.noun();
        }
        if (shape instanceof Shape.ListOf) {
            return "a list";
        }
        if (shape instanceof Shape.OneOf oneOf) {
            return "one of " + oneOf.values();
        }
        return "an object";
    }

    /** What a value is, for messages; strings are not quoted back in full since they may be secrets. */
    /** Whether the field holds a secret (its value is never repeated in an error). */
    private static boolean secret(String path) {
        return path.equals("password") || path.endsWith(".password") || path.endsWith(".s3AccessKey") || path.endsWith(".s3SecretKey")
                || path.endsWith(".resticPassword");
    }

    /**
     * A parser's message without what it quotes of the input: a record that does not parse may hold a secret anywhere, and
     * the message goes to the dead-letter copy, the status event and the log.
     */
    static String unquoted(String message) {
        if (message == null) {
            return "unreadable";
        }
        return message.replaceAll("'[^'\\n]*'", "'…'").replaceAll("\"[^\"\\n]*\"", "\"…\"").replaceAll("\\(code [0-9]+\\)", "")
                .replaceAll("(?s)\\s*at \\[Source.*", "");
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToInt() ? "the integer " + node.asText() : "an integer out of range";
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        return node.isNull() ? "null" : node.getNodeType().toString().toLowerCase();
    }

    /** The path where the parser stopped, from its contexts (the field being read included). */
    private static String pathAt(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser parser)) {
            return "";
        }
        List<JsonStreamContext> chain = new ArrayList<>();
        for (var context = parser.getParsingContext(); context != null; context = context.getParent()) {
            chain.add(0, context);
        }
        String path = "";
        for (var context : chain) {
            if (context.inObject() && context.getCurrentName() != null) {
                path = Paths.child(path, context.getCurrentName());
            } else if (context.inArray() && context.getCurrentIndex() >= 0) {
                path = Paths.index(path, context.getCurrentIndex());
            }
        }
        return path;
    }

    private static String pathOf(JsonMappingException e) {
        String path = "";
        for (JsonMappingException.Reference ref : e.getPath()) {
            path = ref.getFieldName() != null ? Paths.child(path, ref.getFieldName()) : Paths.index(path, ref.getIndex());
        }
        return path;
    }
}
