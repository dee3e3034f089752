package io.pgfleet.events;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a payload field for the generated JSON Schemas and {@code docs/events.md}.
 * The rules themselves are enforced by {@link io.pgfleet.events.validation.CommandValidator};
 * the description states them for people who publish without our Java code.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Doc {
    /** What the field means, its default and its rules. */
    String value();

    /** Whether a payload without this field is invalid. */
    boolean required() default false;

    /**
     * A regular expression the whole value matches (read alike by Java and ECMA-262, e.g. from {@link NameRules}); for a
     * map, each key; for a list, each item. The schemas' {@code pattern} (or {@code propertyNames}, {@code items}).
     */
    String pattern() default "";

    /** The most characters of the value (of each key of a map, of each item of a list); 0: no bound. */
    int maxLength() default 0;

    /** The fewest characters of a string; 0: no bound. */
    int minLength() default 0;

    /** A list whose items are all different (the schemas' {@code uniqueItems}). */
    boolean unique() default false;

    /** The least value of an integer. */
    long minimum() default Long.MIN_VALUE;

    /** The only values a string takes (for a map, each value; the schemas' {@code enum}); none: any. */
    String[] values() default {};

    /** The name of the type of those {@link #values()} in generated clients (the schemas' {@code title}); empty: none. */
    String valuesName() default "";
}
