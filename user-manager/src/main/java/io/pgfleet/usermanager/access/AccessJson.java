package io.pgfleet.usermanager.access;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.json.Json;
import io.pgfleet.usermanager.plan.DesiredAccess;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The access state as stored. */
public final class AccessJson {

    private AccessJson() {
    }

    public static String write(Object value) {
        return Json.write(value);
    }

    public static DesiredAccess desired(String json) {
        return Json.read(json, DesiredAccess.class);
    }

    public static Set<String> users(String json) {
        return Json.read(json, new TypeReference<TreeSet<String>>() {
        });
    }

    /** An instance nothing was asked of yet. */
    public static DesiredAccess empty() {
        return new DesiredAccess(Map.of(), Map.of());
    }
}
