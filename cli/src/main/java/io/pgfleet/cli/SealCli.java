package io.pgfleet.cli;

import io.pgfleet.runtime.secrets.FleetKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import io.pgfleet.events.InstanceKey;

/** Seals one secret for one instance, for publishers other than this CLI: the value comes on stdin, never on the command line. */
@Command(name = "seal", description = "Seal a secret (read from stdin) for an instance with the fleet's public key; prints the sealed value.")
public class SealCli implements Callable<Integer> {

    @Parameters(index = "0", description = "The instance it is for: NAME or NAMESPACE/NAME.")
    String name;

    @Option(names = {"-n", "--namespace"}, defaultValue = "${env:PGFLEET_NAMESPACE:-default}", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Mixin
    FleetKeyLookup keys;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        FleetKey key = keys.find().orElseThrow(() -> new IllegalStateException("no fleet key found: give --fleet-key FILE, or run where "
                + "the local stack's data directory or the provisioner's /fleet/keys is reachable"));
        String value = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - (value.endsWith("\r\n") ? 2 : 1));
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("nothing to seal: give the secret on stdin");
        }
        spec.commandLine().getOut().println(key.seal(value, InstanceKey.parse(name, namespace)));
        return Outcome.OK;
    }
}
