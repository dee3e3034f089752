package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.events.InstanceKey;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void quantitiesAreBytes() {
        assertThat(Quantity.bytes("10Gi")).isEqualByComparingTo(BigDecimal.valueOf(10L << 30));
        assertThat(Quantity.bytes("500M")).isEqualByComparingTo(BigDecimal.valueOf(500_000_000L));
        assertThat(Quantity.bytes("1.5Ti")).isEqualByComparingTo(BigDecimal.valueOf(3L << 39));
        assertThat(Quantity.bytes("1e3")).isEqualByComparingTo(BigDecimal.valueOf(1000));
        assertThatThrownBy(() -> Quantity.bytes("10 Gi")).hasMessageContaining("not a Kubernetes quantity");
        assertThatThrownBy(() -> Quantity.bytes("Gi")).hasMessageContaining("not a Kubernetes quantity");
    }

    @Test
    void theReferenceBucketFormNamesEndpointAndBucket() {
        S3Location location = S3Location.parse("s3.tenant.hikube.cloud/postgres-backups");
        assertThat(location).isEqualTo(new S3Location("https", "s3.tenant.hikube.cloud", "postgres-backups", ""));
        assertThat(location.resticRepository("http://unused", "tenant-a", "pg"))
                .isEqualTo("s3:https://s3.tenant.hikube.cloud/postgres-backups/tenant-a/pg");
    }

    @Test
    void aBareBucketUsesTheConfiguredEndpoint() {
        S3Location location = S3Location.parse("backups/pgfleet/");
        assertThat(location).isEqualTo(new S3Location("https", null, "backups", "pgfleet"));
        assertThat(location.resticRepository("http://127.0.0.1:9000/", "ns", "pg")).isEqualTo("s3:http://127.0.0.1:9000/backups/pgfleet/ns/pg");
        assertThat(S3Location.parse("http://127.0.0.1:9000/b01").resticRepository("x", "ns", "pg")).isEqualTo("s3:http://127.0.0.1:9000/b01/ns/pg");
    }

    @Test
    void badLocationsAreRefused() {
        assertThatThrownBy(() -> S3Location.parse("host.example/")).hasMessageContaining("does not name a valid bucket");
        assertThatThrownBy(() -> S3Location.parse("bucket/../other")).hasMessageContaining("not a valid path segment");
        assertThatThrownBy(() -> S3Location.parse("ho st.example/bucket")).hasMessageContaining("not a valid S3 endpoint");
    }

    @Test
    void instanceKeysReadBothForms() {
        assertThat(InstanceKey.parse("tenant-a/pg", "default")).isEqualTo(new InstanceKey("tenant-a", "pg"));
        assertThat(InstanceKey.parse("pg", "default")).isEqualTo(new InstanceKey("default", "pg"));
        assertThatThrownBy(() -> InstanceKey.parse("a/b/c", "d")).hasMessageContaining("<namespace>/<name>");
        assertThatThrownBy(() -> InstanceKey.parse("/pg", "d")).hasMessageContaining("<namespace>/<name>");
    }
}
