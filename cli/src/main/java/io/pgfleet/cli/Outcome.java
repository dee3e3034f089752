package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows one command across the services that take it, printing each status event as it arrives,
 * until every one of them has said how it ended.
 */
final class Outcome {

    /**
     * Exit codes: all succeeded; one failed (or another error); one rejected (validation: every error printed with its
     * path); a usage error (sysexits' EX_USAGE); Kafka or a service unreachable (EX_UNAVAILABLE); no answer in time (as
     * {@code timeout(1)}).
     */
    static final int OK = 0;
    static final int FAILED = 1;
    static final int REJECTED = 2;
    static final int USAGE = 64;
    static final int UNREACHABLE = 69;
    static final int TIMED_OUT = 124;

    private static final Set<Phase> FINAL = Set.of(Phase.SUCCEEDED, Phase.FAILED, Phase.REJECTED);

    private Outcome() {
    }

    /** The services that answer a command type. */
    static List<String> services(CommandType type) {
        return switch (type) {
            case PROVISION -> List.of("provisioner", "user-manager", "backup-worker");
            case SCALE, DELETE, SWITCHOVER -> List.of("provisioner");
            case ADD_USER, ADD_EXTENSION -> List.of("user-manager");
            case BACKUP, RESTORE, VERIFY -> List.of("backup-worker");
        };
    }

    static int await(Kafka.StatusReader reader, String commandId, CommandType type, Duration timeout, PrintWriter out) {
        Map<String, StatusEvent> finals = new LinkedHashMap<>();
        List<String> services = services(type);
        long deadline = System.nanoTime() + timeout.toNanos();
        long settled = Long.MAX_VALUE; // once one service failed, the outcome is known: the others get a moment to say theirs
        while (finals.size() < services.size()) {
            if (System.nanoTime() > settled) {
                out.println("not waiting for " + String.join(", ", services.stream().filter(s -> !finals.containsKey(s)).toList())
                        + ": the command did not succeed");
                break;
            }
            if (System.nanoTime() > deadline) {
                out.println("no answer within " + timeout.toSeconds() + "s from: "
                        + String.join(", ", services.stream().filter(s -> !finals.containsKey(s)).toList()));
                out.flush();
                return TIMED_OUT;
            }
            for (StatusEvent event : reader.poll(Duration.ofMillis(500))) {
                if (!commandId.equals(event.commandId())) {
                    continue;
                }
                print(event, out);
                if (FINAL.contains(event.phase())) {
                    finals.put(event.service(), event);
                    if (event.phase() != Phase.SUCCEEDED) {
                        settled = Math.min(settled, System.nanoTime() + Duration.ofSeconds(3).toNanos());
                    }
                }
            }
            out.flush();
        }
        if (finals.values().stream().anyMatch(e -> e.phase() == Phase.REJECTED)) {
            return REJECTED;
        }
        return finals.values().stream().allMatch(e -> e.phase() == Phase.SUCCEEDED) ? OK : FAILED;
    }

    static void print(StatusEvent event, PrintWriter out) {
        out.printf("%-14s %-12s %s%n", event.service(), event.phase(), event.message() == null ? "" : event.message());
        if (event.errors() != null) {
            for (FieldError error : event.errors()) {
                out.printf("%-14s %-12s   %s: %s%n", "", "", error.path().isEmpty() ? "(document)" : error.path(), error.message());
            }
        }
    }
}
