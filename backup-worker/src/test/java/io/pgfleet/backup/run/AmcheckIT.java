package io.pgfleet.backup.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.clusters.DrillServers;
import io.pgfleet.clusters.Endpoint;
import io.pgfleet.clusters.local.LocalClusterDriver;
import io.pgfleet.clusters.local.LocalSettings;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.PgBinaries;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A drill's corruption check, on a real scratch server: nothing found in a sound copy; a table whose page was altered on
 * disk (its line pointers overwritten while the server was down) is named by pg_amcheck.
 */
class AmcheckIT {

    @Test
    void aPageAlteredOnDiskInTheScratchCopyIsReported() throws Exception {
        Path root = Files.createTempDirectory("pgfleet-amcheck-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        PgBinaries binaries = PgBinaries.find(Optional.empty());
        LocalSettings settings = new LocalSettings(root, "127.0.0.1", OsUser.forPostgres("nobody"), OsUser.isRoot(), binaries,
                Duration.ofSeconds(60));
        DrillServers drills = new LocalClusterDriver(settings).drills().orElseThrow();
        Amcheck amcheck = new Amcheck(new PgTools(""), 2, Duration.ofMinutes(2));
        try {
            Endpoint scratch = drills.start(null, "amcheck-1").scratch().superuser();
            String file;
            try (Connection c = DriverManager.getConnection(scratch.sessionUrl("postgres"), scratch.sessionProperties());
                 Statement sql = c.createStatement()) {
                sql.execute("CREATE DATABASE sales");
            }
            try (Connection c = DriverManager.getConnection(scratch.sessionUrl("sales"), scratch.sessionProperties());
                 Statement sql = c.createStatement()) {
                sql.execute("CREATE TABLE public.orders (id int PRIMARY KEY, item text)");
                sql.execute("INSERT INTO public.orders SELECT g, 'item ' || g FROM generate_series(1, 2000) g");
                sql.execute("CHECKPOINT");
                try (ResultSet rows = sql.executeQuery("SELECT pg_relation_filepath('public.orders')")) {
                    rows.next();
                    file = rows.getString(1);
                }
            }
            assertThat(amcheck.findings(scratch)).as("a sound copy").isEmpty();

            Path data = root.resolve(".drills/amcheck-1/data");
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
            assertThat(Processes.awaitExit(pid, Duration.ofSeconds(10))).isTrue();
            Files.delete(data.resolve("postmaster.pid"));   // as after a crash (a killed postmaster may wait to be reaped)
            try (RandomAccessFile relation = new RandomAccessFile(data.resolve(file).toFile(), "rw")) {
                // The first page's first line pointers, after its 24-byte header: a normal item (lp_flags 1) of 40 bytes at
                // offset 32752, far past the end of an 8 kB page.
                relation.seek(24);
                relation.write(new byte[]{(byte) 0xf0, (byte) 0xff, 0x50, 0x00, (byte) 0xf0, (byte) 0xff, 0x50, 0x00});
            }
            var started = ProcessRunner.run(settings.drillAccount().command(List.of(binaries.tool("pg_ctl"), "-D", data.toString(), "-l",
                    data.resolveSibling("server.log").toString(), "-w", "start")), Map.of(), Path.of("/"), Duration.ofMinutes(1));
            assertThat(started.ok()).as(Files.readString(data.resolveSibling("server.log"))).isTrue();

            List<String> findings = amcheck.findings(scratch);
            assertThat(findings).isNotEmpty();
            assertThat(String.join("\n", findings)).contains("sales").contains("orders");
        } finally {
            drills.remove(null, "amcheck-1");
        }
    }
}
