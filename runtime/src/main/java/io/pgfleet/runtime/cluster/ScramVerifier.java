package io.pgfleet.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 password verifiers in PostgreSQL's stored form
 * ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, RFC 5802/7677), so that a
 * password reaches the server only as its verifier, never as plaintext SQL.
 */
public final class ScramVerifier {

    private static final int ITERATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KNOWN_MAX = 10_000;
    /**
     * Verifiers this process made or confirmed, with the SHA-256 of their password: recognising an
     * unchanged password again costs a hash, not 4096 PBKDF2 rounds. Memory only, bounded.
     */
    private static final java.util.Map<String, byte[]> KNOWN = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, byte[]> eldest) {
                    return size() > KNOWN_MAX;
                }
            });

    private ScramVerifier() {
    }

    /** A verifier with a fresh random salt. */
    public static String of(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String verifier = of(password, salt, ITERATIONS);
        KNOWN.put(verifier, digest(password));
        return verifier;
    }

    /**
     * Whether {@code password} is the one behind a stored verifier (same salt and iterations), so an
     * unchanged password is not set again.
     */
    public static boolean matches(String password, String stored) {
        if (stored == null || !stored.startsWith("SCRAM-SHA-256$")) {
            return false;
        }
        byte[] known = KNOWN.get(stored);
        if (known != null && MessageDigest.isEqual(known, digest(password))) {
            return true;
        }
        try {
            String[] parts = stored.substring("SCRAM-SHA-256$".length()).split("[$:]");
            byte[] salt = Base64.getDecoder().decode(parts[1]);
            boolean matches = MessageDigest.isEqual(of(password, salt, Integer.parseInt(parts[0])).getBytes(StandardCharsets.UTF_8),
                    stored.getBytes(StandardCharsets.UTF_8));
            if (matches) {
                KNOWN.put(stored, digest(password));
            }
            return matches;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** A verifier with the given salt and iterations (for tests against known vectors). */
    public static String of(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(saslPrep(password).toCharArray(), salt, iterations, 256);
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key");
            Base64.Encoder b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                    + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SCRAM-SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * SASLprep as PostgreSQL applies it to passwords (RFC 4013): non-ASCII spaces become spaces,
     * characters "mapped to nothing" go, then NFKC. A password with prohibited characters is used
     * as it is, as PostgreSQL does.
     */
    static String saslPrep(String password) {
        StringBuilder mapped = new StringBuilder();
        password.codePoints().forEach(c -> {
            if (c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000) {
                mapped.append(' ');
            } else if (!(c == 0x00AD || c == 0x034F || c == 0x1806 || (c >= 0x180B && c <= 0x180D) || c == 0x200C || c == 0x200D
                    || c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF)) {
                mapped.appendCodePoint(c);
            }
        });
        String prepared = java.text.Normalizer.normalize(mapped, java.text.Normalizer.Form.NFKC);
        boolean prohibited = prepared.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.PRIVATE_USE
                || Character.getType(c) == Character.SURROGATE || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE);
        return prohibited ? password : prepared;
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
