package io.pgfleet.runtime.security;

import com.nimbusds.jose.JWSAlgorithm;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.security.token.jwt.signature.SignatureConfiguration;
import io.micronaut.security.token.jwt.signature.secret.SecretSignature;
import io.micronaut.security.token.jwt.signature.secret.SecretSignatureConfiguration;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;

/**
 * Validates the views' bearer tokens signed with {@code pgfleet.http.token-secret} (HS256, at least 32 bytes). Without
 * it, only tokens of validators the operator configured (Micronaut Security's {@code micronaut.security.token.jwt.*},
 * e.g. an identity provider's JWKS) are taken; with neither, every view answers 401.
 */
@Factory
class TokenSignature {

    @Singleton
    @Named("pgfleet")
    @Requires(property = "pgfleet.http.token-secret", pattern = ".+")
    SignatureConfiguration pgfleetTokens(@Value("${pgfleet.http.token-secret}") String secret) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < HttpTokens.MIN_SECRET_BYTES) {
            throw new IllegalStateException("pgfleet.http.token-secret must be at least " + HttpTokens.MIN_SECRET_BYTES + " bytes");
        }
        SecretSignatureConfiguration config = new SecretSignatureConfiguration("pgfleet");
        config.setSecret(secret);
        config.setJwsAlgorithm(JWSAlgorithm.HS256);
        return new SecretSignature(config);
    }
}
