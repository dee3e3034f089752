package io.pgfleet.runtime.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgfleet.events.envelope.DecodedCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a command says, as a digest: its type, its instance and its payload with the keys of every
 * object sorted, so that the same command re-serialised by a publisher (another key order, other
 * spacing) is recognised as the same, and another payload under the same id is not.
 */
final class CommandFingerprint {

    private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private CommandFingerprint() {
    }

    static String of(DecodedCommand command, byte[] value) {
        byte[] payload;
        try {
            // Read into maps (not a tree) so that writing sorts every object's keys.
            payload = CANONICAL.writeValueAsBytes(CANONICAL.readValue(value, Object.class));
        } catch (IOException | RuntimeException e) {
            payload = value == null ? new byte[0] : value; // not JSON: its bytes as they are
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((command.type().id() + "\n" + command.instance() + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(payload);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
