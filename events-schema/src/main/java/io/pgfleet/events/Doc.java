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
}
