package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import picocli.CommandLine.Option;

/** Where the three services answer HTTP, and the namespace of the instance asked about. */
public class ServiceUrls extends ServiceViews {

    @Option(names = {"-n", "--namespace"}, defaultValue = "${env:PGFLEET_NAMESPACE:-default}", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    /** The instance a name (or namespace/name) stands for. */
    InstanceKey instance(String name) {
        return InstanceKey.parse(name, namespace);
    }

    /** The services' path of an instance's view. */
    static String path(InstanceKey key) {
        return "/instances/" + key.namespace() + "/" + key.name();
    }
}
