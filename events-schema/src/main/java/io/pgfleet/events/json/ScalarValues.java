package io.pgfleet.events.json;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@code Map<String, Object>} component: each value is a string, a number or a boolean; a string value's bounds
 * are stated for the schemas (the validator enforces them).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface ScalarValues {
    /** The fewest characters of a string value; 0: no bound. */
    int minLength() default 0;

    /** The most characters of a string value; 0: no bound. */
    int maxLength() default 0;

    /** A regular expression a whole string value matches; empty: any. */
    String pattern() default "";
}
