package io.pgfleet.provisioner.instance;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.cluster.ClusterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Cluster specs as stored in the state tables. */
public final class Specs {

    private Specs() {
    }

    public static String write(ClusterSpec spec) {
        try {
            return Json.mapper().writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ClusterSpec read(String json) {
        try {
            return Json.mapper().readValue(json, ClusterSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
