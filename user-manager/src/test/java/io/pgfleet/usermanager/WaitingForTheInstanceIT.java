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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Commands for instances that are not there yet: they wait, and give up with a clear reason at the deadline. */
class WaitingForTheInstanceIT {

    @Test
    void anAddUserBeforeTheInstanceExistsCompletesOnceItIsReadyAndOneThatNeverComesFails() throws Exception {
        try (ServiceFixture fixture = new ServiceFixture("user-manager")) {
            fixture.start(Map.of("pgfleet.user-manager.ready-timeout", "20s"));
            InstanceKey late = fixture.track(new InstanceKey("tenant-a", "late-one"));
            InstanceKey never = new InstanceKey("tenant-a", "never-made");

            String lateId = fixture.publisher.publish(CommandType.ADD_USER, late,
                    new AddUserCommand("late-one", null, "early_bird", "early-password", false, false, null));
            String neverId = fixture.publisher.publish(CommandType.ADD_USER, never,
                    new AddUserCommand("never-made", null, "nobody_home", "x-password", false, false, null));
            fixture.feed.awaitEvent(e -> lateId.equals(e.commandId()) && e.phase() == Phase.PROGRESSING, Duration.ofMinutes(1),
                    () -> "no waiting: " + fixture.feed.forCommand(lateId));

            ClusterSpec one = new ClusterSpec(false, "1Gi", 1, "local", Map.of(), 0, 0);
            await().atMost(Duration.ofMinutes(2)).until(() -> fixture.driver().apply(late, one).outcome() == Step.Outcome.DONE);
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
}
