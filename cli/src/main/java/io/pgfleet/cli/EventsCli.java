package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The status topic, from its start: what every service said about every command and instance. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Print the status events (the audit trail), oldest first.")
final class EventsCli implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted.")
    boolean follow;

    @Option(names = {"-i", "--instance"}, description = "Only this instance (name or namespace/name).")
    String instance;

    @Option(names = "--json", description = "One JSON status event per line.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InstanceKey only = instance == null ? null : kafka.instance(instance);
        try (Kafka.StatusReader reader = kafka.kafka().statusReader(true)) {
            int quiet = 0;
            while (follow || quiet < 2) {
                List<StatusEvent> events = reader.poll(Duration.ofMillis(700));
                quiet = events.isEmpty() ? quiet + 1 : 0;
                for (StatusEvent event : events) {
                    if (only != null && !only.toString().equals(event.instance())) {
                        continue;
                    }
                    if (json) {
                        out.println(Json.mapper().writeValueAsString(event));
                    } else {
                        out.printf("%s  %-24s %-14s %-13s %-12s %s%n", event.time(), event.instance(), event.service(),
                                event.commandType() == null ? "-" : event.commandType(), event.phase(),
                                event.message() == null ? "" : event.message());
                    }
                }
                out.flush();
            }
        }
        return 0;
    }
}
