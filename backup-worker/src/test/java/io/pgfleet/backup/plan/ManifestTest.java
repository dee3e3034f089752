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
                Map.of(Manifest.dumpFile("bad\nname"), new Manifest.File("nothex!", "/" + Manifest.dumpFile("bad\nname"), 1, "short"),
                        "../../etc.dump", new Manifest.File("4567cdef", "/../../etc.dump", 1, SUM)), List.of());
        assertThat(odd.problems()).anyMatch(p -> p.contains("backup id '../x'")).anyMatch(p -> p.startsWith("database 'bad\nname'"))
                .anyMatch(p -> p.contains("file '../../etc.dump' is neither the roles nor the dump"))
                .anyMatch(p -> p.contains("names no valid snapshot")).anyMatch(p -> p.contains("no valid checksum"));
    }

    @Test
    void aDatabaseNameNeverBecomesAPathItsDumpIsNamedByItsDigest() {
        List<String> names = List.of("../x", "a=b", "host=127.0.0.2", "\"q\"", "ünïcode", "a/b", "a_b", "x?sslmode=disable&y", "..");
        List<String> files = names.stream().map(Manifest::dumpFile).toList();
        assertThat(files).doesNotHaveDuplicates().allMatch(file -> file.matches("[A-Za-z0-9_-]{0,40}\\.[0-9a-f]{16}\\.dump"));
        assertThat(Manifest.dumpFile("sales")).startsWith("sales.");
        Map<String, Manifest.File> saved = new java.util.HashMap<>();
        names.forEach(name -> saved.put(Manifest.dumpFile(name), new Manifest.File("4567cdef", "/" + Manifest.dumpFile(name), 1, SUM)));
        Manifest manifest = manifest(saved, names);
        assertThat(manifest.problems()).isEmpty();
        assertThat(manifest.dumpFileOf("../x")).isEqualTo(Manifest.dumpFile("../x"));
        // a manifest made before names its dumps <name>.dump: still restored
        assertThat(genuine().dumpFileOf("sales")).isEqualTo("sales.dump");
        assertThat(genuine().problems()).isEmpty();
    }
}
