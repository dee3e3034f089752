package io.pgfleet.events.validation;

import io.pgfleet.events.status.FieldError;
import java.util.ArrayList;
import java.util.List;

/** Collects validation errors. */
final class Errors {

    private final List<FieldError> list = new ArrayList<>();

    void add(String path, String message) {
        list.add(new FieldError(path, message));
    }

    List<FieldError> toList() {
        return List.copyOf(list);
    }
}
