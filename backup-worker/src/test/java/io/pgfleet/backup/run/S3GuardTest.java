package io.pgfleet.backup.run;

import io.pgfleet.backup.storage.S3Guard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.backup.restic.ResticCredentials;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What goes where just before restic or pgBackRest connect: the endpoint judged again, the fleet's credentials kept home. */
class S3GuardTest {

    private static final ResticCredentials OWN = new ResticCredentials("AKIATENANT", "tenant-secret", "tenant-restic");

    private static S3Guard guard(List<String> defaultEndpoints, String override) {
        return new S3Guard(List.of("*"), defaultEndpoints, "AKIAFLEET", "fleet-secret", "fleet-restic", override, "");
    }

    private static ResticCredentials fleet() {
        return new ResticCredentials("AKIAFLEET", "fleet-secret", "fleet-restic");
    }

    @Test
    void theFleetsDefaultCredentialsGoOnlyToTheEndpointsTheOperatorAllowedForThem() {
        assertThat(guard(List.of(), "").refusal("s3.tenant.example/backups", fleet())).get().asString()
                .contains("default backup credentials go only to the configured S3 endpoint", "s3.tenant.example");
        assertThat(guard(List.of(), "").refusal("backups", fleet())).as("the configured endpoint").isEmpty();
        assertThat(guard(List.of("s3.tenant.example"), "").refusal("s3.tenant.example/backups", fleet())).isEmpty();
        assertThat(guard(List.of(), "").refusal("s3.tenant.example/backups", OWN)).as("the document's own credentials").isEmpty();
        assertThatThrownBy(() -> guard(List.of(), "").check("s3.tenant.example/backups", fleet()))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("fleet-secret");
    }

    @Test
    void aNameIsResolvedAgainBeforeConnecting() throws Exception {
        // this machine's own name resolves now to one of its own addresses, whatever it resolved to at validation
        String own = InetAddress.getLocalHost().getHostName();
        assertThat(guard(List.of(), "").refusal(own + ":9000/backups", OWN)).get().asString()
                .contains("judged again before connecting", "an internal address");
        assertThat(guard(List.of(), "https://s3.internal:9000").refusal(own + ":9000/backups", fleet()))
                .as("an endpoint the operator set is the operator's").isEmpty();
    }

    @Test
    void aNameIsPinnedToTheAddressItWasJudgedByAndAddressesAndTheOperatorsEndpointsAreLeftAsTheyAre() throws Exception {
        String own = InetAddress.getLocalHost().getHostName();
        S3Guard allowing = new S3Guard(List.of(own + ":9000", "127.0.0.1:9000"), List.of(), "", "", "", "", "");
        S3Guard.Pin pin = allowing.pin("http://" + own + ":9000/backups", OWN).orElseThrow();
        assertThat(pin.host()).isEqualTo(own.toLowerCase(java.util.Locale.ROOT));
        assertThat(pin.port()).isEqualTo(9000);
        assertThat(pin.tls()).isFalse();
        assertThat(List.of(InetAddress.getAllByName(own))).contains(pin.address());
        assertThat(allowing.pin("127.0.0.1:9000/backups", OWN)).as("an address is what it says").isEmpty();
        assertThat(guard(List.of(), "https://s3.internal:9000").pin(own + ":9000/backups", OWN)).as("the operator's").isEmpty();
        // Refused as by check: nothing is pinned, the reason is given.
        assertThatThrownBy(() -> guard(List.of(), "").pin(own + ":9000/backups", OWN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("an internal address");
    }
}
