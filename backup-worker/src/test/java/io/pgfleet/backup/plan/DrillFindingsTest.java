package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillFindingsTest {

    private static final String SALES = Manifest.dumpFile("sales");
    private static final String OLD = Manifest.dumpFile("old");

    private static Manifest manifest(Map<String, Long> salesRows) {
        return new Manifest("20261207-030000-abcdef", "tenant-a/shop", Instant.parse("2026-12-07T03:00:00Z"), List.of("old", "sales"),
                Map.of(SALES, new Manifest.File("1234abcd", "/" + SALES, 10, "0".repeat(64), salesRows),
                        OLD, new Manifest.File("1234abcd", "/" + OLD, 10, "0".repeat(64))), List.of("shop_owner"));
    }

    @Test
    void aCopyWithEveryRowAndNoCorruptionPasses() {
        DrillFindings findings = DrillFindings.compare(manifest(Map.of("public.orders", 5L, "public.empty", 0L)),
                Map.of("sales", Map.of("public.orders", 5L, "public.empty", 0L), "old", Map.of("public.t", 1L)), List.of());
        assertThat(findings.passed()).isTrue();
        assertThat(findings.tables()).isEqualTo(2);
        assertThat(findings.unrecorded()).as("a backup made before row counts: present only").containsExactly("old");
        assertThat(findings.summary()).contains("2 databases and 2 tables checked").contains("old: no row counts recorded")
                .contains("pg_amcheck found no corruption");
    }

    @Test
    void missingDatabasesTablesOrRowsAndExtraTablesAreEachNamed() {
        DrillFindings findings = DrillFindings.compare(manifest(Map.of("public.orders", 5L, "public.gone", 3L)),
                Map.of("sales", Map.of("public.orders", 4L, "public.extra", 1L)), List.of());
        assertThat(findings.passed()).isFalse();
        assertThat(findings.differences()).containsExactly("database old is missing",
                "sales: table public.extra is not in the backup (1 rows restored)",
                "sales: table public.gone is missing (3 rows in the backup)",
                "sales: table public.orders has 4 rows, 5 when the backup was taken");
        assertThat(findings.summary()).contains("4 differences");
    }

    @Test
    void whatPgAmcheckSaysFailsTheDrillLineByLine() {
        DrillFindings findings = DrillFindings.compare(manifest(Map.of("public.orders", 5L)),
                Map.of("sales", Map.of("public.orders", 5L), "old", Map.of()),
                List.of("heap table \"sales.public.orders\", block 0, offset 1:", "    line pointer redirection to item at offset 9 exceeds maximum offset 3", ""));
        assertThat(findings.passed()).isFalse();
        assertThat(findings.amcheck()).containsExactly("heap table \"sales.public.orders\", block 0, offset 1:",
                "line pointer redirection to item at offset 9 exceeds maximum offset 3");
        assertThat(findings.all()).allMatch(line -> line.startsWith("pg_amcheck: "));
        assertThat(findings.summary()).contains("pg_amcheck found corruption: heap table \"sales.public.orders\"");
    }

    @Test
    void aPointInTimeIsReachedWhenReplayStoppedAtOrBeforeIt() {
        Instant target = Instant.parse("2026-12-07T12:00:00Z");
        DrillFindings reached = DrillFindings.ofPointInTime(List.of("app", "postgres"), target, target.minusMillis(300), List.of());
        assertThat(reached.passed()).isTrue();
        assertThat(reached.summary()).isEqualTo("2 databases (app, postgres), pg_amcheck found no corruption");
        assertThat(DrillFindings.ofPointInTime(List.of("app"), target, null, List.of()).passed()).as("nothing replayed since the base backup")
                .isTrue();
        DrillFindings past = DrillFindings.ofPointInTime(List.of("app"), target, target.plusSeconds(1), List.of());
        assertThat(past.passed()).isFalse();
        assertThat(past.differences()).containsExactly("replay went past 2026-12-07T12:00:00Z: its last transaction committed at 2026-12-07T12:00:01Z");
    }
}
