package io.pgfleet.events.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of the payloads: absent fields are omitted (not written as null),
 * times are RFC 3339 strings, and nothing is coerced (a quoted number is not a number).
 */
public final class Json {

    /** The deepest nesting of objects and lists a payload may have (a document needs 5). */
    public static final int MAX_NESTING = 32;

    /** A key given twice is an error (not "the last one wins"); nesting is bounded. */
    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build();

    private static final ObjectMapper JSON = configure(JsonMapper.builder(new JsonFactoryBuilder().streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())).build();
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(YAMLFactory.builder().streamReadConstraints(CONSTRAINTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())).build();

    private Json() {
    }

    /** The shared, thread-safe JSON mapper. */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** A value as JSON text (for state tables and files); a value that cannot be written is a programming error. */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** JSON text written by {@link #write}, read back. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("stored JSON is not a " + type.getSimpleName(), e);
        }
    }

    /** JSON text written by {@link #write}, read back as a generic type. */
    public static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("stored JSON is not of the expected shape", e);
        }
    }

    /** The shared YAML mapper (YAML 1.1 as SnakeYAML reads it; JSON is valid YAML). */
    public static ObjectMapper yamlMapper() {
        return YAML;
    }

    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B configure(B builder) {
        return builder
                .addModule(new JavaTimeModule())
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    }
}
