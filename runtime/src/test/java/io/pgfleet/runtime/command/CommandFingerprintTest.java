package io.pgfleet.runtime.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.DecodedCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fingerprint that tells a redelivery from a reused command id, without keeping a digest of a clear secret. */
class CommandFingerprintTest {

    private static final DecodedCommand ADD_USER = new DecodedCommand(null, CommandType.ADD_USER, new InstanceKey("team-a", "shop"), null,
            List.of());
    private static final byte[] KEY = "k".repeat(32).getBytes(StandardCharsets.UTF_8);

    private static String of(String json, byte[] key) {
        return CommandFingerprint.of(ADD_USER, json.getBytes(StandardCharsets.UTF_8), key);
    }

    @Test
    void theSameCommandReSerialisedIsTheSameAndAnotherIsNot() {
        assertThat(of("{\"instance\":\"shop\",\"name\":\"bob\"}", KEY)).isEqualTo(of("{ \"name\": \"bob\", \"instance\": \"shop\" }", KEY));
        assertThat(of("{\"instance\":\"shop\",\"name\":\"bob\"}", KEY)).isNotEqualTo(of("{\"instance\":\"shop\",\"name\":\"eve\"}", KEY));
    }

    @Test
    void aClearPasswordCountsOnlyAsItsHmacUnderTheFleetsKeyAndNotAtAllWithoutOne() throws Exception {
        String one = "{\"instance\":\"shop\",\"name\":\"bob\",\"password\":\"hunter2\"}";
        String other = "{\"instance\":\"shop\",\"name\":\"bob\",\"password\":\"hunter3\"}";
        assertThat(of(one, KEY)).isNotEqualTo(of(other, KEY));
        assertThat(of(one, null)).isEqualTo(of(other, null));
        // Not the digest of the payload as it came: a guess of the password cannot be checked against the state table.
        java.security.MessageDigest plain = java.security.MessageDigest.getInstance("SHA-256");
        plain.update(("add-user\nteam-a/shop\n").getBytes(StandardCharsets.UTF_8));
        plain.update(one.getBytes(StandardCharsets.UTF_8));
        assertThat(of(one, KEY)).isNotEqualTo(java.util.HexFormat.of().formatHex(plain.digest()));
    }
}
