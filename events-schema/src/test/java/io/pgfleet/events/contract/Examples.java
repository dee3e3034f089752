package io.pgfleet.events.contract;

import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.PostgresqlConfig;
import io.pgfleet.events.postgres.Quorum;
import io.pgfleet.events.postgres.User;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.pgfleet.events.command.SwitchoverCommand;
import io.pgfleet.events.command.VerifyCommand;

/** One example payload of each kind, for the documentation. Maps are sorted so the page is stable. */
public final class Examples {

    private static final Instant TIME = Instant.parse("2026-11-24T10:15:30Z");

    private Examples() {
    }

    /** A valid example payload of the command type. */
    public static Object command(CommandType type) {
        return switch (type) {
            case PROVISION -> Postgres.of("postgres-dev", "tenant-a", new PostgresSpec(false, "5Gi", 1, "local",
                    new PostgresqlConfig(new TreeMap<>(Map.of("max_connections", 50, "shared_buffers", "128MB"))), null,
                    Map.of("dev_user", new User("dev-password", null, null)),
                    Map.of("dev_db", new Database(new DatabaseRoles(List.of("dev_user"), null, null, null), List.of("hstore"))),
                    null, null));
            case SCALE -> new ScaleCommand("postgres-ha", "tenant-a", 3, null, new Quorum(1, 2));
            case SWITCHOVER -> new SwitchoverCommand("postgres-ha", "tenant-a", "postgres-ha-2");
            case ADD_USER -> new AddUserCommand("postgres-dev", "tenant-a", "report_user", null, false, false,
                    Map.of("dev_db", "readonly"));
            case ADD_EXTENSION -> new AddExtensionCommand("postgres-dev", "tenant-a", "dev_db", "pg_trgm");
            case BACKUP -> new BackupCommand("postgres-dev", "tenant-a");
            case RESTORE -> new RestoreCommand("postgres-dev", "tenant-a", null, null, "dev_db");
            case DELETE -> new DeleteCommand("postgres-dev", "tenant-a");
            case VERIFY -> new VerifyCommand("postgres-dev", "tenant-a", null);
        };
    }

    /** An example fleet-state record: the complete example with its three parts. */
    public static InstanceState instanceState() {
        return new InstanceState("tenant-a/postgres-complete", "READY", "3 of 3 members ready", 3, 3, "postgres-complete-1",
                List.of(new InstanceState.MemberState("postgres-complete-1", "primary", "running", "127.0.0.1", 54321, null, null),
                        new InstanceState.MemberState("postgres-complete-2", "replica", "streaming", "127.0.0.1", 54322, "quorum", 0L),
                        new InstanceState.MemberState("postgres-complete-3", "replica", "streaming", "127.0.0.1", 54323, "quorum", 0L)),
                "127.0.0.1:54321,127.0.0.1:54322,127.0.0.1:54323",
                List.of(new InstanceState.UserState("admin", List.of("myapp_admin")), new InstanceState.UserState("user1", List.of("myapp_readonly"))),
                List.of(new InstanceState.DatabaseState("myapp", "myapp_admin", List.of("hstore"))),
                new InstanceState.BackupState(true, "0 3 * * *", "20261124-030000-4f2a", TIME.minusSeconds(3300), TIME.minusSeconds(86400)),
                new TreeMap<>(Map.of("provisioner", TIME, "user-manager", TIME, "backup-worker", TIME)), null);
    }

    /** Example status events: a rejection and a success. */
    public static List<StatusEvent> statusEvents() {
        return List.of(
                new StatusEvent("7d0c0d8e-8a4b-4f57-9a51-0e3c2f1d5b10", "tenant-a/postgres-ha", "provisioner", "scale",
                        Phase.REJECTED, "ValidationFailed", "the command is invalid; nothing was changed", null,
                        List.of(new FieldError("quorum.maxSyncReplicas", "must be lower than replicas (3), got 3")), null, TIME),
                new StatusEvent("0b6f5c1a-2d3e-4c5b-8a9f-1e2d3c4b5a69", "tenant-a/postgres-dev", "provisioner", "provision",
                        Phase.SUCCEEDED, "InstanceReady", "1 of 1 members ready", null, null,
                        new TreeMap<>(Map.of("members", 1, "primary", "127.0.0.1:54321")), TIME));
    }
}
