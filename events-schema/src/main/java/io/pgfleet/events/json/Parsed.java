package io.pgfleet.events.json;

import io.pgfleet.events.status.FieldError;
import java.util.List;

/**
 * The outcome of reading a payload: the value, or every structural error with its path.
 *
 * @param value  the payload, {@code null} when there are errors
 * @param errors every problem found, empty when the payload was read
 */
public record Parsed<T>(T value, List<FieldError> errors) {

    public Parsed {
        errors = List.copyOf(errors);
    }

    static <T> Parsed<T> ok(T value) {
        return new Parsed<>(value, List.of());
    }

    static <T> Parsed<T> failed(List<FieldError> errors) {
        return new Parsed<>(null, errors);
    }

    /** Whether the payload was read without errors. */
    public boolean isOk() {
        return errors.isEmpty();
    }
}
