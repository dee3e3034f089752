package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rows of {@code pgfleet list} and {@code pgfleet backups} from the services' views, and how they print. */
class FleetViewTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text.replace('\'', '"'));
    }

    @Test
    void anInstanceJoinsItsMembersAndItsNewestBackup() throws Exception {
        JsonNode instances = json("""
                [{'instance':'default/a','phase':'READY','membersDesired':3,'membersReady':3,'primary':'a-1','spec':{'size':'10Gi'},'message':'ready'},
                 {'instance':'default/b','phase':'DEGRADED','membersDesired':2,'membersReady':1,'primary':null,'spec':{'size':'5Gi'},
                  'message':'1 of 2 members ready: b-2 is stopped'}]""");
        JsonNode backups = json("""
                [{'instance':'default/a','enabled':true,'schedule':'0 2 * * *','walArchive':{'recoverableFrom':'2026-12-01T02:00:00Z'},
                  'lastBackup':{'id':'bk-1','finishedAt':'2026-12-01T07:55:00Z'}},
                 {'instance':'default/gone','enabled':true,'schedule':'0 3 * * *','lastBackup':null}]""");

        List<FleetView.InstanceLine> lines = FleetView.instances(instances, backups, NOW);

        assertThat(lines).extracting(FleetView.InstanceLine::instance).containsExactly("default/a", "default/b");
        FleetView.InstanceLine a = lines.get(0);
        assertThat(a.members()).isEqualTo("3/3");
        assertThat(a.lastBackup()).isEqualTo("bk-1");
        assertThat(a.lastBackupAge()).isEqualTo("2h5m");
        assertThat(a.recoverableFrom()).isEqualTo(Instant.parse("2026-12-01T02:00:00Z"));
        FleetView.InstanceLine b = lines.get(1);
        assertThat(b.backupSchedule()).isEqualTo("off");
        assertThat(b.lastBackup()).isNull();

        List<String> table = FleetView.INSTANCES.lines(lines, false);
        assertThat(table.get(0)).isEqualTo("INSTANCE   PHASE     MEMBERS  PRIMARY  LAST BACKUP  AGE");
        assertThat(table.get(1)).isEqualTo("default/a  READY     3/3      a-1      bk-1         2h5m");
        assertThat(table.get(2)).isEqualTo("default/b  DEGRADED  1/2      -        -            -");
        assertThat(FleetView.INSTANCES.lines(lines, true).get(0)).endsWith("AGE   SIZE  SCHEDULE   RECOVERABLE FROM      MESSAGE");
    }

    @Test
    void theFleetStateTopicsRecordsGiveTheSameColumns() throws Exception {
        JsonNode a = json("""
                {'instance':'default/a','phase':'READY','message':'3 of 3 members ready','membersDesired':3,'membersReady':3,'primary':'a-2',
                 'backup':{'enabled':true,'schedule':'0 2 * * *','lastBackup':'bk-1','lastBackupAt':'2026-12-01T07:55:00Z',
                           'recoverableFrom':'2026-12-01T02:00:00Z'}}""");
        JsonNode b = json("{'instance':'default/b','phase':'PROGRESSING','membersDesired':2,'membersReady':0}");
        java.util.Map<String, JsonNode> fleet = new java.util.TreeMap<>(java.util.Map.of("default/a", a, "default/b", b));

        List<FleetView.InstanceLine> lines = FleetView.instancesFromFleet(fleet, NOW);

        assertThat(lines).extracting(FleetView.InstanceLine::instance, FleetView.InstanceLine::phase, FleetView.InstanceLine::members,
                        FleetView.InstanceLine::primary, FleetView.InstanceLine::lastBackup, FleetView.InstanceLine::backupSchedule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("default/a", "READY", "3/3", "a-2", "bk-1", "0 2 * * *"),
                        org.assertj.core.groups.Tuple.tuple("default/b", "PROGRESSING", "0/2", null, null, "off"));
        assertThat(lines.get(0).lastBackupAge()).isEqualTo(FleetView.age(java.time.Instant.parse("2026-12-01T07:55:00Z"), NOW));
        assertThat(lines.get(0).recoverableFrom()).isEqualTo(java.time.Instant.parse("2026-12-01T02:00:00Z"));
    }

    @Test
    void backupsPrintNewestFirstWithSizeAndAge() throws Exception {
        JsonNode runs = json("""
                [{'id':'bk-2','status':'SUCCEEDED','trigger':'on-demand','startedAt':'2026-12-01T09:59:00Z','finishedAt':'2026-12-01T09:59:30Z',
                  'bytes':5347737,'durationMs':30000,'databases':['app','sales'],'verifiedAt':'2026-12-01T10:05:00Z','restoreSeconds':12.34},
                 {'id':'bk-1','status':'FAILED','trigger':'scheduled','startedAt':'2026-11-29T02:00:00Z','finishedAt':'2026-11-29T02:00:05Z',
                  'message':'S3 refused the credentials'}]""");
        List<FleetView.BackupLine> lines = FleetView.backups(runs, NOW);
        assertThat(lines).extracting(FleetView.BackupLine::age).containsExactly("30s", "2d7h");
        List<String> wide = FleetView.BACKUPS.lines(lines, true);
        assertThat(wide.get(1)).contains("bk-2", "SUCCEEDED", "5.1MiB", "30000ms", "app,sales", "2026-12-01T10:05:00Z", "12.34s");
        assertThat(wide.get(0)).contains("VERIFIED", "RTO");
        assertThat(wide.get(2)).contains("bk-1", "FAILED", "S3 refused the credentials");
    }

    @Test
    void agesReadAsPeopleSayThem() {
        assertThat(FleetView.age(NOW.minusSeconds(59), NOW)).isEqualTo("59s");
        assertThat(FleetView.age(NOW.minusSeconds(3600), NOW)).isEqualTo("1h");
        assertThat(FleetView.age(NOW.minusSeconds(86400 * 3 + 60), NOW)).isEqualTo("3d");
        assertThat(FleetView.age(NOW.plusSeconds(5), NOW)).isEqualTo("0s");
    }

    @Test
    void aBadSinceIsNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EventsCli.SinceConverter().convert("yesterday"))
                .hasMessageContaining("'yesterday' is neither an RFC 3339 time");
        assertThat(new EventsCli.SinceConverter().convert("2026-12-01T08:00:00Z")).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(new EventsCli.SinceConverter().convert("2d")).isBefore(Instant.now().minusSeconds(2 * 86400 - 60));
    }
}
