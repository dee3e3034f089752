package io.pgfleet.events.json;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a payload record: rules between its fields, stated for the schemas ({@code dependentRequired}, {@code anyOf},
 * {@code dependentSchemas}, {@code if}/{@code then}); the validator enforces them and says which field breaks which.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Related {
    /** Fields given all together or none. */
    String[] together() default {};

    /** At least one of these fields is given. */
    String[] atLeastOne() default {};

    /** When the first field is given, none of the others may be. */
    String[] firstExcludesOthers() default {};

    /** When the first field (a boolean) is true, the others are required. */
    String[] trueRequires() default {};
}
