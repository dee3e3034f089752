package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The committed catalogue is PostgreSQL's own, as the installed server describes it. */
class SettingsCatalogueTest {

    @Test
    void theCatalogueIsWhatTheInstalledServerDescribes() throws Exception {
        Path postgres = Path.of("/usr/lib/postgresql/" + SettingsCatalogue.MAJOR + "/bin/postgres");
        assertThat(postgres).as("PostgreSQL " + SettingsCatalogue.MAJOR + " server binaries (see README, Requirements)").isExecutable();
        Process describe = new ProcessBuilder(postgres.toString(), "--describe-config").redirectErrorStream(false).start();
        String output = new String(describe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(describe.waitFor()).isZero();
        TreeMap<String, String> described = new TreeMap<>();
        output.lines().map(line -> line.split("\t", -1)).forEach(f -> described.put(f[0], String.join("\t", Arrays.asList(f).subList(0, 4))));
        TreeMap<String, String> committed = new TreeMap<>();
        SettingsCatalogue.all().values().forEach(s -> committed.put(s.name(), String.join("\t", s.name(), s.context(), s.category(), s.type())));
        assertThat(committed).as("regenerate with: postgres --describe-config | cut -f1-4 | sort > "
                + "events-schema/src/main/resources/io/pgfleet/events/validation/postgresql-15-settings.tsv").isEqualTo(described);
    }

    @Test
    void theNearestNameIsSuggestedForATypo() {
        assertThat(SettingsCatalogue.nearest("max_conections")).contains("max_connections");
        assertThat(SettingsCatalogue.nearest("wrok_mem")).contains("work_mem");
        assertThat(SettingsCatalogue.nearest("completely_unrelated_words")).isEmpty();
    }

    @Test
    void everySettingOfTheReferenceExamplesIsKnown() {
        for (String name : List.of("max_connections", "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
                "wal_buffers", "checkpoint_completion_target", "wal_writer_delay", "default_statistics_target", "random_page_cost",
                "effective_io_concurrency")) {
            assertThat(SettingsCatalogue.find(name)).as(name).isPresent();
        }
    }
}
