package io.pgfleet.runtime.credentials;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.util.PasswordUtil;

/**
 * SCRAM-SHA-256 password verifiers in PostgreSQL's stored form
 * ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, RFC 5802/7677), so that a
 * password reaches the server only as its verifier, never as plaintext SQL. The verifier itself is
 * pgjdbc's; this class adds recognising an unchanged password cheaply.
 */
public final class ScramVerifier {

    private static final int ITERATIONS = 4096;
    /**
     * The PBKDF2 rounds of a verifier of a secret pgfleet drew at random ({@link #ofRandomSecret}). Rounds slow down
     * guessing a password a person chose; a secret of 128 random bits or more cannot be guessed at any count, and each of its
     * client's connections computes the rounds again: 4096 cost a service's JVM 9 ms of CPU per connection, 16 a few
     * microseconds.
     */
    public static final int RANDOM_SECRET_ITERATIONS = 16;
    /**
     * The most PBKDF2 rounds a stored verifier is checked with. A role may set its own verifier, and one of
     * 2<sup>31</sup>-1 rounds would keep a worker busy for hours; a verifier above this is never computed, it does not
     * match, and the document's password is set again.
     */
    public static final int MAX_ITERATIONS = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KNOWN_MAX = 10_000;
    /**
     * Verifiers this process made or confirmed, with the SHA-256 of their password: recognising an
     * unchanged password again costs a hash, not 4096 PBKDF2 rounds. Memory only, bounded.
     */
    private static final Map<String, byte[]> KNOWN = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                    return size() > KNOWN_MAX;
                }
            });

    private ScramVerifier() {
    }

    /** A verifier with a fresh random salt. */
    public static String of(String password) {
        return withFreshSalt(password, ITERATIONS);
    }

    /**
     * A verifier with a fresh random salt and {@link #RANDOM_SECRET_ITERATIONS} rounds, for a secret pgfleet drew at random
     * (a local member's superuser and replication roles, a user's generated password; at least 128 random bits), never for
     * a password a person chose.
     */
    public static String ofRandomSecret(String secret) {
        return withFreshSalt(secret, RANDOM_SECRET_ITERATIONS);
    }

    private static String withFreshSalt(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String verifier = of(password, salt, iterations);
        KNOWN.put(verifier, digest(password));
        return verifier;
    }

    /**
     * Whether {@code password} is the one behind a stored verifier (same salt and iterations), so an
     * unchanged password is not set again. A verifier of more than {@link #MAX_ITERATIONS} rounds never matches.
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
            int iterations = Integer.parseInt(parts[0]);
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                return false;
            }
            byte[] salt = Base64.getDecoder().decode(parts[1]);
            boolean matches = MessageDigest.isEqual(of(password, salt, iterations).getBytes(StandardCharsets.UTF_8),
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

    /**
     * A verifier with the given salt and iterations, made by pgjdbc's {@code PasswordUtil} (the SCRAM
     * library pgjdbc itself uses, with PostgreSQL's SASLprep of the password).
     */
    public static String of(String password, byte[] salt, int iterations) {
        return PasswordUtil.encodeScramSha256(password.toCharArray(), iterations, salt);
    }
}
