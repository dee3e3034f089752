package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/packages.sh}: the Debian packages the demo and the tests need, named when missing. */
class PackagesScriptTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();

    private static String missing(String need, String path) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", HOME.resolve("scripts/packages.sh").toString(), need).redirectErrorStream(true);
        builder.environment().put("PATH", path);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void onAMachineWithoutTheToolsEveryPackageIsNamed(@TempDir Path emptyBin) throws Exception {
        // PostgreSQL's binaries and kill are found by their paths, the rest on PATH (here: nothing on it).
        assertThat(missing("demo", emptyBin.toString()).split(" ")).contains("restic", "pgbackrest", "openssl", "util-linux")
                .doesNotContain("docker-compose", "prometheus");
        assertThat(missing("test", emptyBin.toString()).split(" ")).contains("restic", "pgbackrest", "docker-compose", "prometheus");
    }

    @Test
    void hereWhereTheTestsRunNothingIsMissing() throws Exception {
        assertThat(missing("test", System.getenv("PATH"))).isEmpty();
    }
}
