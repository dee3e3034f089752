package io.pgfleet.provisioner.instance;

import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.events.json.Json;

/**
 * What a switchover job carries (its {@code job.spec}): the instance's spec, the primary when the command was accepted
 * (once another member is the primary, the switch is made and the job only waits for the others to follow), and the
 * member asked for, if any.
 */
public record SwitchoverJob(ClusterSpec spec, String from, String to) {

    public String write() {
        return Json.write(this);
    }

    public static SwitchoverJob read(String json) {
        return Json.read(json, SwitchoverJob.class);
    }
}
