package io.pgfleet.runtime.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.status.FieldError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing and opening with real JWE (jose4j): bound to an instance, by key id, with a previous key for a while. */
class FleetKeysTest {

    private static final InstanceKey SHOP = new InstanceKey("team-a", "shop");
    private static final InstanceKey OTHER = new InstanceKey("team-b", "shop");
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private FleetKeys keys(Path current, Path previous, String until) {
        return new FleetKeys(current.toString(), previous == null ? "" : previous.toString(), until, NOW);
    }

    @Test
    void aValueSealedForAnInstanceOpensForItOnlyAndTheKeyFileIsPrivate() throws Exception {
        FleetKey key = FleetKey.createIfAbsent(dir.resolve("fleet.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("fleet.pem")))).isEqualTo("rw-------");
        FleetKey publicOnly = FleetKey.ofPublic(key.publicJwk());
        assertThat(publicOnly.id()).isEqualTo(key.id());
        assertThat(key.publicJwk()).doesNotContain("\"d\"");

        String sealed = publicOnly.seal("s3cr3t-pässword", SHOP);
        assertThat(Sealed.isSealed(sealed)).isTrue();
        assertThat(sealed).doesNotContain("s3cr3t");
        FleetKeys fleet = keys(dir.resolve("fleet.pem"), null, "1970-01-01T00:00:00Z");
        assertThat(fleet.open(sealed, SHOP)).isEqualTo("s3cr3t-pässword");
        assertThat(fleet.open("clear", SHOP)).isEqualTo("clear");
        assertThatThrownBy(() -> fleet.open(sealed, OTHER)).hasMessageContaining("is sealed for instance 'team-a/shop', not for team-b/shop")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aHeaderRewrittenToNameAnotherInstanceNoLongerOpens() throws Exception {
        FleetKey key = FleetKey.createIfAbsent(dir.resolve("fleet.pem"));
        String sealed = key.seal("s3cr3t", SHOP);
        String header = new String(Base64.getUrlDecoder().decode(sealed.substring(0, sealed.indexOf('.'))), StandardCharsets.UTF_8);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(header.replace("team-a/shop", "team-b/shop")
                .getBytes(StandardCharsets.UTF_8)) + sealed.substring(sealed.indexOf('.'));
        assertThat(Sealed.headerProblem(forged, OTHER.toString())).isEmpty();
        assertThatThrownBy(() -> keys(dir.resolve("fleet.pem"), null, "1970-01-01T00:00:00Z").open(forged, OTHER))
                .hasMessageContaining("does not open with the fleet key");
    }

    @Test
    void thePreviousKeyOpensUntilItsDateAndAnUnknownKeyIsNamed() throws Exception {
        FleetKey old = FleetKey.createIfAbsent(dir.resolve("old.pem"));
        FleetKey.createIfAbsent(dir.resolve("new.pem"));
        String sealedWithOld = old.seal("kept-for-a-while", SHOP);
        assertThat(keys(dir.resolve("new.pem"), dir.resolve("old.pem"), "2026-12-31T00:00:00Z").open(sealedWithOld, SHOP))
                .isEqualTo("kept-for-a-while");
        assertThat(keys(dir.resolve("new.pem"), dir.resolve("old.pem"), "2026-12-31T00:00:00Z").published()).hasSize(2);
        assertThatThrownBy(() -> keys(dir.resolve("new.pem"), dir.resolve("old.pem"), "2026-11-01T00:00:00Z").open(sealedWithOld, SHOP))
                .hasMessageContaining("is sealed with key " + old.id() + ", which this fleet does not hold (or no longer accepts)");
    }

    @Test
    void checkNamesTheFieldsThatDoNotOpenWithoutTheirValues() throws Exception {
        FleetKey key = FleetKey.createIfAbsent(dir.resolve("fleet.pem"));
        FleetKeys fleet = keys(dir.resolve("fleet.pem"), null, "1970-01-01T00:00:00Z");
        AddUserCommand moved = new AddUserCommand("shop", "team-b", "bob", key.seal("bobs-password", SHOP), null, null, null);
        assertThat(fleet.check(moved, OTHER)).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("password");
            assertThat(error.message()).contains("sealed for instance 'team-a/shop'").doesNotContain("bobs-password");
        });
        assertThat(fleet.check(new AddUserCommand("shop", "team-a", "bob", key.seal("bobs-password", SHOP), null, null, null), SHOP))
                .extracting(FieldError::path).isEmpty();
    }

    @Test
    void aSealedValueMeetsTheRulesOfAClearOneOnceOpened() throws Exception {
        // Anyone can seal with the served public key: a sealed S3 key holding a newline and a pgBackRest option would
        // otherwise become a line of pgbackrest.conf (a restore_command, i.e. a shell command, at the next restore).
        FleetKey key = FleetKey.createIfAbsent(dir.resolve("fleet.pem"));
        FleetKeys fleet = keys(dir.resolve("fleet.pem"), null, "1970-01-01T00:00:00Z");
        String injected = "AKIAEXAMPLE\nrecovery-option=restore_command=touch /tmp/pwned";
        String document = """
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: shop
                  namespace: team-a
                spec:
                  backup:
                    s3Bucket: s3.tenant.example/backups
                    s3AccessKey: "%s"
                    s3SecretKey: "%s"
                    resticPassword: "%s"
                  users:
                    bob:
                      password: "%s"
                """.formatted(key.seal(injected, SHOP), key.seal("secret key", SHOP), key.seal(" padded", SHOP), key.seal("a\u0000b", SHOP));
        io.pgfleet.events.postgres.Postgres doc = io.pgfleet.events.json.PayloadReader.fromText(document, io.pgfleet.events.postgres.Postgres.class).value();
        List<FieldError> errors = fleet.check(doc, SHOP);
        assertThat(errors).extracting(FieldError::path).containsExactlyInAnyOrder("spec.users.bob.password", "spec.backup.s3AccessKey",
                "spec.backup.s3SecretKey", "spec.backup.resticPassword");
        assertThat(errors).allSatisfy(error -> assertThat(error.message()).startsWith("once opened, ").doesNotContain("AKIA", "pwned", "padded"));
    }
}
