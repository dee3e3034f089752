package io.pgfleet.events.json;

import io.pgfleet.events.Doc;
import java.util.List;

/**
 * The JSON shape of a payload type, derived from the records by {@link Shapes}. One model drives
 * both the strict reader ({@link PayloadReader}) and the JSON Schemas (the contract's schema generator, in the tests),
 * so the two cannot disagree.
 */
public sealed interface Shape {

    /** A record: a closed set of named properties. */
    record Obj(Class<?> type, String description, List<Prop> props) implements Shape {
        /** The property with that JSON name, or {@code null}. */
        public Prop prop(String name) {
            return props.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** A property of a record; {@code doc} is its {@link Doc} (the rules the schemas carry), or null. */
    record Prop(String name, Shape shape, boolean required, String description, Doc doc) {
    }

    /** An object with free keys, all values of one shape. */
    record MapOf(Shape values) implements Shape {
    }

    /** An array. */
    record ListOf(Shape items) implements Shape {
    }

    /** A string that is one of a fixed set of values: the constants of the enum it is named after. */
    record OneOf(String name, List<String> values) implements Shape {
    }

    /** A leaf value. */
    enum Scalar implements Shape {
        STRING("a string"),
        INTEGER("an integer"),
        NUMBER("a number"),
        BOOLEAN("a boolean"),
        TIMESTAMP("an RFC 3339 timestamp"),
        /** A string, a number or a boolean. */
        PRIMITIVE("a string, a number or a boolean"),
        /** Any JSON value; the validator decides what is allowed where. */
        ANY("any JSON value");

        private final String noun;

        Scalar(String noun) {
            this.noun = noun;
        }

        /** "a string", "an integer", ... for messages. */
        public String noun() {
            return noun;
        }
    }
}
