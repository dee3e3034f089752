package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.secrets.SecretFields;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import io.pgfleet.runtime.secrets.FleetKey;
import java.util.Optional;

/** What every command that publishes shares: Kafka options, --wait and --timeout. */
abstract class Publishing {

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-w", "--wait"}, description = "Wait for every service that takes the command to say how it ended; "
            + "exit 0 only if all succeeded (1: one failed, 2: rejected, 124: no answer in time; see docs/cli.md).")
    boolean await;

    @Option(names = "--timeout", defaultValue = "15m", converter = DurationConverter.class,
            description = "How long --wait waits (e.g. 90s, 15m; default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    FleetKeyLookup keys;

    @Spec
    CommandSpec spec;

    /**
     * Publishes the command, and with --wait follows it to its end. Its clear secret fields are sealed for the instance
     * first when the fleet's key is found (so they never sit in clear on Kafka).
     */
    int publish(CommandType type, InstanceKey instance, Object payload) {
        PrintWriter out = spec.commandLine().getOut();
        if (!SecretFields.of(payload).isEmpty()) {
            Optional<FleetKey> key = keys.find();
            if (key.isPresent()) {
                int[] sealed = {0};
                payload = SecretFields.map(payload, (path, value) -> {
                    if (Sealed.isSealed(value)) {
                        return value;
                    }
                    sealed[0]++;
                    return key.get().seal(value, instance);
                });
                out.println("sealed " + sealed[0] + " secret field(s) with the fleet key " + key.get().id());
            }
        }
        Kafka client = kafka.kafka();
        if (!await) {
            String id = client.publish(type, instance, payload);
            out.println(type.id() + " " + instance + " published: command " + id);
            out.flush();
            return Outcome.OK;
        }
        try (Kafka.StatusReader reader = client.statusReader(false)) {
            String id = client.publish(type, instance, payload);
            out.println(type.id() + " " + instance + " published: command " + id);
            out.flush();
            return Outcome.await(reader, id, type, timeout, out);
        }
    }
}
