package io.pgfleet.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.Phase;
import io.pgfleet.clusters.ClusterDriver;
import io.pgfleet.clusters.Member;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A provisioner stopped in the middle of a provision; another one started on the same state finishes it. */
class CrashRecoveryIT {

    @Test
    void theInstanceCompletesAfterARestartWithNoDuplicateMember() throws Exception {
        InstanceKey key = new InstanceKey("tenant-a", "survivor");
        Postgres doc = PayloadReader.fromText("""
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: survivor
                spec:
                  replicas: 4
                """, Postgres.class).value();
        try (ProvisionerFixture fixture = new ProvisionerFixture()) {
            EmbeddedServer first = fixture.startProvisioner();
            String id = fixture.publisher.publish(CommandType.PROVISION, key, doc);
            fixture.feed.awaitEvent(e -> id.equals(e.commandId()) && e.phase() == Phase.PROGRESSING
                    && e.step().contains("copied from the primary"), Duration.ofMinutes(2), () -> "no progress: " + fixture.feed.forCommand(id));
            first.close(); // in the middle: the replicas' data is copied, none of them is started yet

            fixture.track(key);
            EmbeddedServer second = fixture.startProvisioner();
            ClusterDriver driver = fixture.driver();
            try {
                assertThat(fixture.feed.awaitFinal(id, "provisioner", Duration.ofMinutes(3)).phase()).isEqualTo(Phase.SUCCEEDED);
                assertThat(driver.observe(key).members()).extracting(Member::name)
                        .containsExactly("survivor-1", "survivor-2", "survivor-3", "survivor-4");
                assertThat(driver.observe(key).ready()).isTrue();
                assertThat(postmastersUnder(fixture.dataRoot)).hasSize(4);
                try (Stream<Path> members = Files.list(fixture.dataRoot.resolve("replicated/tenant-a/survivor"))) {
                    assertThat(members.filter(p -> p.getFileName().toString().startsWith("member-"))).hasSize(4);
                }
                assertThat(fixture.feed.forCommand(id)).filteredOn(e -> e.phase() == Phase.ACCEPTED).hasSize(1);
                assertThat(fixture.feed.forCommand(id)).filteredOn(e -> e.phase() == Phase.SUCCEEDED).hasSize(1);
            } finally {
                second.close();
                driver.delete(key);
            }
            assertThat(postmastersUnder(fixture.dataRoot)).isEmpty(); // what it started, it stopped
        }
    }

    /** PostgreSQL postmasters whose data directory is under the root. */
    private static List<Long> postmastersUnder(Path root) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    String stat = Files.readString(p.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    return state != 'Z' && cmdline.contains("bin/postgres -D " + root);
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        }
    }
}
