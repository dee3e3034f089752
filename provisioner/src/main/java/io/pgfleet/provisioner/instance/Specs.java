package io.pgfleet.provisioner.instance;

import io.pgfleet.events.json.Json;
import io.pgfleet.clusters.ClusterSpec;

/** Cluster specs as stored in the state tables. */
public final class Specs {

    private Specs() {
    }

    public static String write(ClusterSpec spec) {
        return Json.write(spec);
    }

    public static ClusterSpec read(String json) {
        return Json.read(json, ClusterSpec.class);
    }
}
