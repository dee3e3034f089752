package io.pgfleet.runtime.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * The bearer tokens of the services' HTTP views: JWTs (HS256 with {@code pgfleet.http.token-secret}, or whatever the
 * operator's identity provider signs and Micronaut Security is configured to validate). A token carries one role in
 * {@code roles}: {@link #PLATFORM} and {@link #AUDITOR} see every namespace, {@link #TENANT} only those of its
 * {@link #NAMESPACES} claim. pgfleet mints tokens only for the local stack and tests; validation is Micronaut's.
 */
public final class HttpTokens {

    /** The platform's own code: every namespace. */
    public static final String PLATFORM = "platform";
    /** Auditors: every namespace, read-only like every view. */
    public static final String AUDITOR = "auditor";
    /** A tenant: the namespaces of its {@link #NAMESPACES} claim only. */
    public static final String TENANT = "tenant";
    /** The claim that lists a tenant token's namespaces. */
    public static final String NAMESPACES = "namespaces";
    /** The shortest secret taken: HS256 needs 256 bits. */
    public static final int MIN_SECRET_BYTES = 32;

    private HttpTokens() {
    }

    /** A new secret: 32 random bytes, base64url. */
    public static String newSecret() {
        byte[] bytes = new byte[MIN_SECRET_BYTES];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A token for {@code subject} with one role (and, for a tenant, its namespaces), valid for {@code ttl}. */
    public static String mint(String secret, String subject, String role, List<String> namespaces, Duration ttl, Clock clock) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issuer("pgfleet").claim("roles", List.of(role))
                .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plus(ttl)));
        if (TENANT.equals(role)) {
            claims.claim(NAMESPACES, List.copyOf(namespaces));
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign a token with this secret (at least " + MIN_SECRET_BYTES + " bytes): "
                    + e.getMessage(), e);
        }
    }
}
