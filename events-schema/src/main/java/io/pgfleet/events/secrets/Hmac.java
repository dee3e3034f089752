package io.pgfleet.events.secrets;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.HexFormat;

/** HMAC-SHA256, the one keyed digest pgfleet uses (manifests, command fingerprints, derived keys). */
public final class Hmac {

    private Hmac() {
    }

    public static byte[] sha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The same, as lower-case hex. */
    public static String sha256Hex(byte[] key, byte[] data) {
        return HexFormat.of().formatHex(sha256(key, data));
    }
}
