package io.pgfleet.backup.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a restore believes of a manifest: its MAC, and names that are safe to use as paths and databases. */
class ManifestTest {

    private static final byte[] KEY = "k".repeat(32).getBytes();
    private static final String SUM = "a".repeat(64);

    private static Manifest manifest(Map<String, Manifest.File> files, List<String> databases) {
        return new Manifest("20261130-120000-abcdef", "tenant-a/shop", Instant.parse("2026-11-30T12:00:00Z"), databases, files, List.of("shop"));
    }

    private static Manifest genuine() {
        return manifest(Map.of(Manifest.GLOBALS, new Manifest.File("0123abcd", "/work/20261130-120000-abcdef/globals.sql", 10, SUM),
                "sales.dump", new Manifest.File("4567cdef", "/sales.dump", 20, SUM),
                "postgres.dump", new Manifest.File("0123abcd", "/work/20261130-120000-abcdef/postgres.dump", 20, SUM)), List.of("sales", "postgres"));
    }

    @Test
    void aSignedManifestIsAuthenticatedByItsKeyAndSurvivesJson() {
        Manifest signed = genuine().signed(KEY);
        assertThat(signed.authenticatedBy(KEY)).isTrue();
        assertThat(Manifest.fromJson(signed.toJson()).authenticatedBy(KEY)).isTrue();
        assertThat(signed.problems()).isEmpty();
    }

    @Test
    void anUnsignedOrOtherKeysOrChangedManifestIsNotAuthenticated() {
        assertThat(genuine().authenticatedBy(KEY)).isFalse();
        assertThat(genuine().signed("x".repeat(32).getBytes()).authenticatedBy(KEY)).isFalse();
        Manifest signed = genuine().signed(KEY);
        Manifest changed = new Manifest(signed.backupId(), signed.instance(), signed.time(), List.of("sales", "extra"), signed.files(),
                signed.roles(), signed.mac());
        assertThat(changed.authenticatedBy(KEY)).isFalse();
    }

    @Test
    void pathsOutsideTheBackupsPlacesAndUnknownFilesAreProblems() {
        Manifest escaping = manifest(Map.of("sales.dump", new Manifest.File("4567cdef", "/../../etc/passwd/sales.dump", 1, SUM),
                "notes.txt", new Manifest.File("4567cdef", "/notes.txt", 1, SUM)), List.of("sales"));
        assertThat(escaping.problems()).anyMatch(p -> p.contains("has the path '/../../etc/passwd/sales.dump'"))
                .anyMatch(p -> p.contains("file 'notes.txt' is neither the roles nor the dump"));
    }

    @Test
    void databaseNamesAndIdsThatPgfleetNeverWritesAreProblems() {
        Manifest odd = new Manifest("../x", "tenant-a/shop", Instant.EPOCH, List.of("../../etc", "bad\nname"),
                Map.of("bad\nname.dump", new Manifest.File("nothex!", "/bad\nname.dump", 1, "short")), List.of());
        assertThat(odd.problems()).anyMatch(p -> p.contains("backup id '../x'")).anyMatch(p -> p.startsWith("database '../../etc'"))
                .anyMatch(p -> p.startsWith("database 'bad\nname'"))
                .anyMatch(p -> p.contains("names no valid snapshot")).anyMatch(p -> p.contains("no valid checksum"));
    }
}
