package io.pgfleet.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what the code reads: stale, regenerate with {@code mvn -pl architecture test
 * -Dtest=ConfigurationReferenceTest -Dpgfleet.regenerate=true} and commit it. Every key must be introduced by a doc comment
 * beside the code that reads it.
 */
class ConfigurationReferenceTest {

    private static final Path PAGE = Path.of("../docs/configuration.md");

    @Test
    void everyKeyTheServicesReadIsDocumented() {
        List<ConfigurationReference.Key> keys = ConfigurationReference.keys(SourceRulesTest.mainSources());
        assertThat(keys).extracting(ConfigurationReference.Key::name)
                .contains("pgfleet.local.failover-delay", "pgfleet.jobs.workers", "pgfleet.backup.allowed-endpoints");
        assertThat(keys).filteredOn(k -> k.description() == null).extracting(ConfigurationReference.Key::name)
                .as("keys no doc comment introduces as {@code key}: text, or {@code key} (default …): text").isEmpty();
    }

    @Test
    void theCommittedPageIsCurrent() throws IOException {
        String expected = ConfigurationReference.render(ConfigurationReference.keys(SourceRulesTest.mainSources()));
        if (Boolean.getBoolean("pgfleet.regenerate")) {
            Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
                .as(PAGE + " is stale; regenerate with mvn -pl architecture test -Dtest=ConfigurationReferenceTest -Dpgfleet.regenerate=true")
                .isEqualTo(expected);
    }
}
