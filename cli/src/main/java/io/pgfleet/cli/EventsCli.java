package io.pgfleet.cli;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.events.status.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

/** The status topic, from its start or a time: what every service said about every command and instance. */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Print the status events (the audit trail), oldest first.")
final class EventsCli implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted.")
    boolean follow;

    @Option(names = {"-i", "--instance"}, description = "Only this instance (name or namespace/name).")
    String instance;

    @Option(names = "--command", paramLabel = "ID", description = "Only the answers to this command (its id, as publishing printed it).")
    String commandId;

    @Option(names = "--since", paramLabel = "TIME", converter = SinceConverter.class,
            description = "Only events from this time on: an RFC 3339 time (2026-12-01T08:00:00Z) or a duration ago (90s, 15m, 2h, 3d).")
    Instant since;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default), wide (with the command id, reason and step), json (one event per line) or yaml.")
    OutputFormat.Format format;

    @Option(names = "--json", description = "The same as -o json.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InstanceKey only = instance == null ? null : kafka.instance(instance);
        OutputFormat.Format shown = json ? OutputFormat.Format.json : format;
        try (Kafka.StatusReader reader = since == null ? kafka.kafka().statusReader(true) : kafka.kafka().statusReader(since)) {
            int quiet = 0;
            while (follow || quiet < 2) {
                List<StatusEvent> events = reader.poll(Duration.ofMillis(700));
                quiet = events.isEmpty() ? quiet + 1 : 0;
                for (StatusEvent event : events) {
                    if (shows(event, only)) {
                        print(out, event, shown);
                    }
                }
                out.flush();
            }
        }
        return 0;
    }

    private boolean shows(StatusEvent event, InstanceKey only) {
        return (only == null || only.toString().equals(event.instance()))
                && (commandId == null || commandId.equals(event.commandId()))
                && (since == null || !event.time().isBefore(since));
    }

    private static void print(PrintWriter out, StatusEvent event, OutputFormat.Format format) throws Exception {
        switch (format) {
            case json -> out.println(Json.mapper().writeValueAsString(event));
            case yaml -> out.print(Json.yamlMapper().writeValueAsString(event).replaceFirst("^(?!---)", "---\n"));
            case table, wide -> {
                out.printf("%s  %-24s %-14s %-13s %-12s %s%n", event.time(), event.instance(), event.service(),
                        event.commandType() == null ? "-" : event.commandType(), event.phase(), event.message() == null ? "" : event.message());
                if (format == OutputFormat.Format.wide) {
                    out.printf("    command %s  reason %s%s%n", event.commandId() == null ? "-" : event.commandId(),
                            event.reason() == null ? "-" : event.reason(), event.step() == null ? "" : "  step " + event.step());
                }
            }
        }
    }

    /** An RFC 3339 time, or a duration before now. */
    static final class SinceConverter implements ITypeConverter<Instant> {

        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException notATime) {
                if (value.matches("[0-9]+d")) {
                    return Instant.now().minus(Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1))));
                }
                try {
                    return Instant.now().minus(new DurationConverter().convert(value));
                } catch (TypeConversionException notADuration) {
                    throw new TypeConversionException("'" + value + "' is neither an RFC 3339 time (2026-12-01T08:00:00Z) nor a duration "
                            + "(90s, 15m, 2h, 3d)");
                }
            }
        }
    }
}
