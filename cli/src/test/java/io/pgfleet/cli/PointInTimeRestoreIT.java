package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Point-in-time recovery on the local stack (services as processes, real PostgreSQL, pgBackRest and the S3 server over
 * TLS): rows written at t1, t2, t3 with WAL switches between, a table dropped at t4; the instance restored in place to a
 * time between t3 and t4 has exactly the rows of t1–t3 (read with psql) and its standbys stream again; the same time
 * restored into another instance; times outside the window refused with the window. What the archive holds is read with
 * the pgbackrest CLI.
 */
@Tag("drill")
class PointInTimeRestoreIT {

    private static final InstanceKey COMPLETE = new InstanceKey("default", "postgres-complete");
    private static final InstanceKey MINIMAL = new InstanceKey("default", "postgres-minimal");

    @Test
    void theCompleteExampleReturnsToATimeBeforeATableWasDroppedInPlaceAndIntoAnotherInstance() throws Exception {
        try (StackFixture fixture = new StackFixture("pgfleet-pitr-it-")) {
            String provision = fixture.publisher.publish(CommandType.PROVISION, COMPLETE, example("postgres-complete"));
            for (String service : List.of("provisioner", "user-manager", "backup-worker")) {
                StatusEvent answer = fixture.feed.awaitFinal(provision, service, StackFixture.SLOW);
                assertThat(answer.phase()).as(service + ": " + answer.message()).isEqualTo(Phase.SUCCEEDED);
            }
            assertThat(fixture.feed.awaitFinal(provision, "backup-worker", StackFixture.SLOW).message()).contains("point-in-time recovery from");
            // The minimal example with backups of its own (the complete example's settings), so its own archive must follow
            // the data restored into it from the other instance.
            Postgres complete = example("postgres-complete");
            io.pgfleet.events.postgres.PostgresSpec small = example("postgres-minimal").spec();
            Postgres minimalDoc = Postgres.of(MINIMAL.name(), null, new io.pgfleet.events.postgres.PostgresSpec(small.external(), small.size(),
                    small.replicas(), small.storageClass(), small.postgresql(), small.quorum(), small.users(), small.databases(),
                    complete.spec().backup(), small.pooler()));
            assertThat(minimalDoc.spec().backup()).isNotNull();
            String minimal = fixture.publisher.publish(CommandType.PROVISION, MINIMAL, minimalDoc);
            assertThat(fixture.feed.awaitFinal(minimal, "provisioner", StackFixture.SLOW).phase()).isEqualTo(Phase.SUCCEEDED);
            assertThat(fixture.feed.awaitFinal(minimal, "backup-worker", StackFixture.SLOW).phase()).isEqualTo(Phase.SUCCEEDED);

            // t1, t2, t3: ten rows each, the WAL segment switched after each; t4: the table dropped.
            fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "CREATE TABLE ledger (id int PRIMARY KEY, written text)");
            for (int t = 1; t <= 3; t++) {
                fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "INSERT INTO ledger SELECT g, 't" + t + "' FROM generate_series("
                        + (t * 10 - 9) + ", " + (t * 10) + ") g");
                fixture.psql(COMPLETE, "postgres", null, "postgres", "SELECT pg_switch_wal()");
            }
            Instant afterT3 = Instant.now();
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(afterT3.plusMillis(1500)));
            Instant target = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(target.plusMillis(1500)));
            fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp", "DROP TABLE ledger");

            // The window and the archive's age on the services' metrics pages (Prometheus text).
            await().atMost(Duration.ofMinutes(1)).until(() -> fixture.gauge("backup-worker", "pgfleet_wal_recovery_window_seconds", COMPLETE) != null
                    && fixture.gauge("provisioner", "pgfleet_wal_archive_age_seconds", COMPLETE) != null);
            assertThat(fixture.gauge("backup-worker", "pgfleet_wal_recovery_window_seconds", COMPLETE)).isPositive();
            assertThat(fixture.gauge("backup-worker", "pgfleet_wal_base_backups", COMPLETE)).isGreaterThanOrEqualTo(1.0);
            assertThat(fixture.gauge("backup-worker", "pgfleet_wal_base_backup_age_seconds", COMPLETE)).isNotNegative();
            assertThat(fixture.gauge("provisioner", "pgfleet_wal_archive_age_seconds", COMPLETE)).isNotNegative();
            assertThat(fixture.gauge("provisioner", "pgfleet_wal_archive_waiting_segments", COMPLETE)).isNotNull();

            // Outside the window: refused with the window, nothing changed.
            for (String outside : List.of(Instant.now().plus(Duration.ofHours(1)).toString(), "2001-01-01T00:00:00Z")) {
                String id = fixture.publisher.publish(CommandType.RESTORE, COMPLETE, new RestoreCommand(COMPLETE.name(), COMPLETE.namespace(),
                        null, null, null, outside));
                StatusEvent refused = fixture.feed.awaitFinal(id, "backup-worker", StackFixture.SLOW);
                assertThat(refused.phase()).isEqualTo(Phase.REJECTED);
                assertThat(refused.errors()).singleElement().satisfies(error -> {
                    assertThat(error.path()).isEqualTo("pointInTime");
                    assertThat(error.message()).contains(outside, "outside the recovery window of default/postgres-complete", "to now");
                });
            }

            // In place.
            String restore = fixture.publisher.publish(CommandType.RESTORE, COMPLETE, new RestoreCommand(COMPLETE.name(), COMPLETE.namespace(),
                    null, null, null, target.toString()));
            StatusEvent restored = fixture.feed.awaitFinal(restore, "backup-worker", StackFixture.SLOW);
            assertThat(restored.phase()).as(restored.message()).isEqualTo(Phase.SUCCEEDED);
            assertThat(restored.message()).contains("restored to " + target, "LSN");
            assertThat(fixture.psql(COMPLETE, "admin", "secure-admin-password", "myapp",
                    "SELECT count(*) || ' ' || min(id) || ' ' || max(id) || ' ' || string_agg(DISTINCT written, ',' ORDER BY written) FROM ledger"))
                    .isEqualTo("30 1 30 t1,t2,t3");
            await().atMost(Duration.ofMinutes(3)).until(() -> fixture.psql(COMPLETE, "postgres", null, "postgres",
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").equals("2"));

            // Into another instance, from the first one's archive.
            String copy = fixture.publisher.publish(CommandType.RESTORE, MINIMAL, new RestoreCommand(MINIMAL.name(), MINIMAL.namespace(),
                    COMPLETE.name(), null, null, target.toString()));
            StatusEvent copied = fixture.feed.awaitFinal(copy, "backup-worker", StackFixture.SLOW);
            assertThat(copied.phase()).as(copied.message()).isEqualTo(Phase.SUCCEEDED);
            assertThat(copied.message()).contains("own WAL archive now follows the restored data");
            assertThat(fixture.psql(MINIMAL, "postgres", null, "myapp", "SELECT count(*) || ' ' || max(id) FROM ledger")).isEqualTo("30 30");
            await().atMost(Duration.ofMinutes(3)).until(() -> fixture.psql(MINIMAL, "postgres", null, "postgres",
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").equals("1"));

            // The archive as pgBackRest's own CLI reads it: the stanza is sound and holds the base backup.
            Path config = fixture.instanceDir(COMPLETE).resolve("pgbackrest/pgbackrest.conf");
            // as the account the instance runs as (its own, as root): no other account may read its keys
            CommandResult info = ProcessRunner.run(List.of("runuser", "-u", Files.getOwner(config).getName(), "--", "pgbackrest", "--config=" + config,
                    "--stanza=default-postgres-complete", "info"), Map.of(), Path.of("/"), Duration.ofMinutes(2));
            assertThat(info.output()).as(info.output()).contains("status: ok", "full backup");
            assertThat(info.output()).doesNotContain("your-s3-secret-key", "your-restic-password");
            // The copy's own archive takes its WAL again (pgbackrest check switches a segment and waits for it).
            Path copyConfig = fixture.instanceDir(MINIMAL).resolve("pgbackrest/pgbackrest.conf");
            CommandResult check = ProcessRunner.run(List.of("runuser", "-u", Files.getOwner(copyConfig).getName(), "--", "pgbackrest", "--config=" + copyConfig,
                    "--stanza=default-postgres-minimal", "check"), Map.of("PGPASSWORD",
                    Files.readString(fixture.instanceDir(MINIMAL).resolve("superuser.password")).strip()), Path.of("/"), Duration.ofMinutes(2));
            assertThat(check.ok()).as(check.output()).isTrue();
        }
    }

    private static Postgres example(String name) throws Exception {
        Path file = Path.of(System.getProperty("pgfleet.home")).resolve("examples").resolve(name + ".yaml");
        return PayloadReader.fromText(Files.readString(file), Postgres.class).value();
    }
}
