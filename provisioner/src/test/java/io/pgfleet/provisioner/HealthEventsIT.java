package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.events.status.StatusEvent;
import io.pgfleet.clusters.ClusterDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A member that dies: the instance is reported degraded, the member restarted, the instance reported ready again. */
class HealthEventsIT {

    @Test
    void aDeadMemberIsRestartedAndTheInstanceReportedDegradedThenReady() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "fragile");
        Postgres doc = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: fragile
                spec:
                  replicas: 2
                  storageClass: local
                """, Postgres.class).value();
        try (ProvisionerFixture fixture = new ProvisionerFixture()) {
            fixture.track(key);
            fixture.startProvisioner();
            ClusterDriver driver = fixture.driver();
            String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
            assertThat(fixture.feed.awaitFinal(id, "provisioner", Duration.ofMinutes(2)).phase()).isEqualTo(Phase.SUCCEEDED);

            Path replicaData = fixture.dataRoot.resolve("local/tenant-a/fragile/member-2/data");
            long pid = Long.parseLong(Files.readAllLines(replicaData.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            StatusEvent degraded = fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.DEGRADED
                    && e.instance().equals("tenant-a/fragile"), Duration.ofMinutes(1), () -> "no DEGRADED event");
            assertThat(degraded.reason()).isEqualTo("InstanceDegraded");
            assertThat(degraded.message()).contains("fragile-2 is stopped");
            StatusEvent ready = fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.READY
                    && e.instance().equals("tenant-a/fragile"), Duration.ofMinutes(1), () -> "no READY event");
            assertThat(ready.reason()).isEqualTo("InstanceReady");
            assertThat(fixture.feed.forInstance("tenant-a/fragile").indexOf(ready))
                    .isGreaterThan(fixture.feed.forInstance("tenant-a/fragile").indexOf(degraded));
            assertThat(driver.observe(key).ready()).isTrue();
            long restarted = Long.parseLong(Files.readAllLines(replicaData.resolve("postmaster.pid")).get(0).trim());
            assertThat(restarted).isNotEqualTo(pid);
        }
    }

    @Test
    void withTwoProvisionersADeadMemberIsReportedAndRepairedOnce() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "watched-twice");
        Postgres doc = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: watched-twice
                spec:
                  replicas: 2
                  storageClass: local
                """, Postgres.class).value();
        try (ProvisionerFixture fixture = new ProvisionerFixture()) {
            fixture.track(key);
            fixture.startProvisioner(java.util.Map.of("pgfleet.jobs.instance-id", "replica-a", "pgfleet.provisioner.health-interval", "200ms"));
            fixture.startProvisioner(java.util.Map.of("pgfleet.jobs.instance-id", "replica-b", "pgfleet.provisioner.health-interval", "200ms"));
            String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
            assertThat(fixture.feed.awaitFinal(id, "provisioner", Duration.ofMinutes(2)).phase()).isEqualTo(Phase.SUCCEEDED);

            Path replicaData = fixture.dataRoot.resolve("local/tenant-a/watched-twice/member-2/data");
            long pid = Long.parseLong(Files.readAllLines(replicaData.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            fixture.feed.awaitEvent(e -> e.commandId() == null && e.phase() == Phase.READY && e.instance().equals("tenant-a/watched-twice"),
                    Duration.ofMinutes(1), () -> "no READY event: " + fixture.feed.forInstance("tenant-a/watched-twice"));
            assertThat(fixture.feed.forInstance("tenant-a/watched-twice")).filteredOn(e -> e.commandId() == null)
                    .extracting(StatusEvent::phase).as("one DEGRADED, one repair, one READY").containsExactly(Phase.DEGRADED, Phase.READY);
        }
    }
}
