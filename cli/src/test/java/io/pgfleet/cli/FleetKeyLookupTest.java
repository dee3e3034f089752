package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key secrets are sealed with is never taken in clear from another machine. */
class FleetKeyLookupTest {

    @TempDir
    Path dataDir;

    private FleetKeyLookup lookup(String provisioner) {
        FleetKeyLookup lookup = new FleetKeyLookup();
        lookup.file = "";
        lookup.dataDir = dataDir;
        lookup.provisioner = provisioner;
        return lookup;
    }

    @Test
    void plainHttpFromAnotherMachineIsRefusedWithWhatToDoInstead() {
        assertThatThrownBy(() -> lookup("http://pgfleet.example:9096").find()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not fetched over plain HTTP from pgfleet.example").hasMessageContaining("--fleet-key");
        assertThatThrownBy(() -> lookup("http://10.0.0.7:9096").find()).hasMessageContaining("not fetched over plain HTTP");
    }

    @Test
    void thisMachineOverHttpAndAnyMachineOverHttpsAreAsked() {
        // nothing answers on these ports: asked, and nothing found
        assertThat(lookup("http://127.0.0.1:1").find()).isEmpty();
        assertThat(lookup("http://localhost:1").find()).isEmpty();
        assertThat(lookup("https://127.0.0.1:1").find()).isEmpty();
        assertThat(ServiceUrls.loopback("127.0.0.2")).isTrue();
        assertThat(ServiceUrls.loopback("[::1]")).isTrue();
        assertThat(ServiceUrls.loopback("127.evil.example")).isFalse();
    }
}
