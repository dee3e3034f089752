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
import io.pgfleet.events.secrets.Hmac;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.secrets.SecretFields;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command says, as a digest: its type, its instance and its payload with the keys of every
 * object sorted, so that the same command re-serialised by a publisher (another key order, other
 * spacing) is recognised as the same, and another payload under the same id is not. A secret field in clear is not
 * hashed as it is (a digest of a short password can be guessed from the state table): it counts as its HMAC under a
 * key derived from the fleet's key, or, without one, not at all (a command id reused with only another clear password
 * is then taken for a redelivery). Sealed values are random ciphertexts and count as they are.
 */
final class CommandFingerprint {

    private static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private CommandFingerprint() {
    }

    static String of(DecodedCommand command, byte[] value) {
        return of(command, value, null);
    }

    /** @param secretKey the key clear secrets are counted under ({@code null}: they are left out) */
    static String of(DecodedCommand command, byte[] value, byte[] secretKey) {
        byte[] payload;
        try {
            // Read into maps (not a tree) so that writing sorts every object's keys.
            payload = CANONICAL.writeValueAsBytes(withoutClearSecrets(CANONICAL.readValue(value, Object.class), secretKey));
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

    @SuppressWarnings("unchecked")
    private static Object withoutClearSecrets(Object node, byte[] secretKey) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((name, child) -> copy.put(name,
                    SecretFields.NAMES.contains(name) && child instanceof String text
                            && !Sealed.isSealed(text) ? counted(text, secretKey) : withoutClearSecrets(child, secretKey)));
            return copy;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(child -> withoutClearSecrets(child, secretKey)).toList();
        }
        return node;
    }

    private static String counted(String secret, byte[] secretKey) {
        if (secretKey == null) {
            return "***";
        }
        return "hmac:" + Hmac.sha256Hex(secretKey, secret.getBytes(StandardCharsets.UTF_8));
    }
}
