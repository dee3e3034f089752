package io.pgfleet.usermanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterSpec;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.runtime.job.Step;
import io.pgfleet.testkit.ServiceFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Commands for instances that are not there yet, or whose connection breaks under them: they wait, carry on once they
 * can, and give up with a clear reason at the deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WaitingForTheInstanceIT {

    private static final ClusterSpec ONE = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);
    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = new ServiceFixture("user-manager");
        fixture.start(Map.of("pgfleet.user-manager.ready-timeout", "20s"));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void anAddUserWhoseConnectionBreaksUnderItIsCarriedOutAgainInsteadOfFailing() throws Exception {
        InstanceKey key = fixture.track(new InstanceKey("tenant-a", "breaking"));
        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.driver().apply(key, ONE).outcome() == Step.Outcome.DONE);
        Endpoint endpoint = fixture.driver().primary(key).orElseThrow();
        String id;
        try (Connection holder = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
             Connection admin = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), endpoint.user(), endpoint.password());
             Statement cut = admin.createStatement()) {
            // An uncommitted role of the same name holds the user-manager's CREATE ROLE; its session is then cut, as a
            // switchover or a restart of the primary would cut it (SQLSTATE 57P01); the role is let go.
            holder.setAutoCommit(false);
            holder.createStatement().execute("CREATE ROLE held_user");
            id = fixture.publisher.publish(CommandType.ADD_USER, key, new AddUserCommand("breaking", null, "held_user", "held-password",
                    false, false, null));
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                try (ResultSet cutOff = cut.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        + "AND query LIKE '%CREATE ROLE%held_user%' AND pid <> pg_backend_pid()")) {
                    return cutOff.next();
                }
            });
            holder.rollback();
        }
        // Before: FAILED, "terminating connection due to administrator command".
        StatusEvent done = fixture.feed.awaitFinal(id, "user-manager", Duration.ofMinutes(1));
        assertThat(done.phase()).as(String.valueOf(fixture.feed.forCommand(id))).isEqualTo(Phase.SUCCEEDED);
        assertThat(fixture.feed.forCommand(id)).anyMatch(e -> e.phase() == Phase.PROGRESSING && e.message().contains("broke"));
        try (Connection login = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), "held_user", "held-password")) {
            assertThat(login.isValid(5)).isTrue();
        }
    }

    @Test
    void anAddUserOnAPrimaryWhoseFilesAreGoneWaitsForItInsteadOfFailing() throws Exception {
        InstanceKey key = fixture.track(new InstanceKey("tenant-a", "lost-files"));
        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.driver().apply(key, ONE).outcome() == Step.Outcome.DONE);
        Endpoint endpoint = fixture.driver().primary(key).orElseThrow();
        // A primary whose disk is going: new sessions end with FATAL "could not open file global/pg_filenode.map" (58P01).
        java.nio.file.Path map = fixture.dataRoot.resolve("local/tenant-a/lost-files/member-1/data/global/pg_filenode.map");
        java.nio.file.Path aside = map.resolveSibling("pg_filenode.map.aside");
        java.nio.file.Files.move(map, aside);
        String id;
        try {
            id = fixture.publisher.publish(CommandType.ADD_USER, key, new AddUserCommand("lost-files", null, "patient_user", "patient-password",
                    false, false, null));
            // Before: FAILED at once, "could not read the catalog ... could not open file".
            fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && e.phase() == Phase.PROGRESSING, Duration.ofMinutes(1),
                    () -> "no waiting: " + fixture.feed.forCommand(id));
            assertThat(fixture.feed.forCommand(id)).noneMatch(e -> e.phase().isFinal());
        } finally {
            java.nio.file.Files.move(aside, map);
        }
        assertThat(fixture.feed.awaitFinal(id, "user-manager", Duration.ofMinutes(1)).phase()).isEqualTo(Phase.SUCCEEDED);
        try (Connection login = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), "patient_user", "patient-password")) {
            assertThat(login.isValid(5)).isTrue();
        }
    }

    @Test
    void anAddUserBeforeTheInstanceExistsCompletesOnceItIsReadyAndOneThatNeverComesFails() throws Exception {
        InstanceKey late = fixture.track(new InstanceKey("tenant-a", "late-one"));
        InstanceKey never = new InstanceKey("tenant-a", "never-made");

        String lateId = fixture.publisher.publish(CommandType.ADD_USER, late,
                new AddUserCommand("late-one", null, "early_bird", "early-password", false, false, null));
        String neverId = fixture.publisher.publish(CommandType.ADD_USER, never,
                new AddUserCommand("never-made", null, "nobody_home", "x-password", false, false, null));
        fixture.feed.awaitEvent(e -> lateId.equals(e.commandId()) && e.phase() == Phase.PROGRESSING, Duration.ofMinutes(1),
                () -> "no waiting: " + fixture.feed.forCommand(lateId));

        await().atMost(Duration.ofMinutes(2)).until(() -> fixture.driver().apply(late, ONE).outcome() == Step.Outcome.DONE);
        assertThat(fixture.feed.awaitFinal(lateId, "user-manager", Duration.ofMinutes(1)).phase()).isEqualTo(Phase.SUCCEEDED);
        Endpoint endpoint = fixture.driver().primary(late).orElseThrow();
        try (Connection login = DriverManager.getConnection(endpoint.jdbcUrl("postgres"), "early_bird", "early-password")) {
            assertThat(login.isValid(5)).isTrue();
        }

        StatusEvent failed = fixture.feed.awaitFinal(neverId, "user-manager", Duration.ofMinutes(1));
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(failed.message()).isEqualTo("instance tenant-a/never-made did not come into existence within 20s");
    }
}
