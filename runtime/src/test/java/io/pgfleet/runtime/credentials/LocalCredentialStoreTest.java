package io.pgfleet.runtime.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.events.InstanceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCredentialStoreTest {

    private static final InstanceKey KEY = new InstanceKey("tenant-a", "shop");

    @Test
    void credentialsAreKeptInAFileOnlyTheOwnerReads(@TempDir Path root) throws Exception {
        LocalCredentialStore store = new LocalCredentialStore(root, "backup");
        store.write(KEY, Map.of("s3AccessKey", "a"));
        store.write(KEY, Map.of("resticPassword", "r"));
        assertThat(store.read(KEY)).containsExactlyInAnyOrderEntriesOf(Map.of("s3AccessKey", "a", "resticPassword", "r"));
        Path file = root.resolve("credentials/tenant-a/shop-backup.json");
        assertThat(store.file(KEY)).isEqualTo(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aDamagedFileIsNamedWithoutQuotingItsText(@TempDir Path root) throws Exception {
        LocalCredentialStore store = new LocalCredentialStore(root, "backup");
        store.write(KEY, Map.of("s3AccessKey", "a"));
        Files.writeString(store.file(KEY), "{\"s3AccessKey\": AKIASECRET123}");
        assertThatThrownBy(() -> store.read(KEY))
                .hasMessageStartingWith("the credential file " + store.file(KEY) + " is not a JSON object of strings (line 1, column ")
                .hasMessageNotContaining("AKIASECRET123");
    }
}
