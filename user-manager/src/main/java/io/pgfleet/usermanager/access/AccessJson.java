package io.pgfleet.usermanager.access;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.json.Json;
import io.pgfleet.usermanager.sql.DesiredAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The access state as stored. */
public final class AccessJson {

    private AccessJson() {
    }

    public static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DesiredAccess desired(String json) {
        try {
            return Json.mapper().readValue(json, DesiredAccess.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Set<String> users(String json) {
        try {
            return Json.mapper().readValue(json, new TypeReference<TreeSet<String>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An instance nothing was asked of yet. */
    public static DesiredAccess empty() {
        return new DesiredAccess(Map.of(), Map.of());
    }
}
