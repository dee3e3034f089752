package io.pgfleet.runtime.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Verifiers for fixed salts, as the hand-written implementation made them before pgjdbc's took its
 * place (SASLprep included: a no-break space is a space, fullwidth letters are NFKC-normalised);
 * AccessLevelsIT checks them against verifiers PostgreSQL made.
 */
class ScramVerifierTest {

    private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theVerifiersAreTheOnesPostgresqlStores() {
        assertThat(ScramVerifier.of("pencil", SALT, 4096)).isEqualTo("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"
                + "nQpbZ77WudtqufPwikHXGRt6g2QJ4zns8bZLw273DRM=:jn2amWP1q1h+jgjy0YTO14S6/F02SV7taipOeB7ef20=");
        assertThat(ScramVerifier.of("ünïcødé", SALT, 4096)).isEqualTo("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"
                + "CIUb/iHoc2iy5vMFRbDy4EgSUc01SheWBDSlCF/uwrY=:ZyWfWaQJ2pij/fk83xA1KXD7wLoOCV2JSRLUDGiTzqs=");
        assertThat(ScramVerifier.of("ｆｕｌｌｗｉｄｔｈ", SALT, 4096)).isEqualTo("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"
                + "LqiYewe7qEUNsjR509T3gXsTZUWETK6uCTOwhJSlnh0=:0QIUD8EG4mifYAP88+TDhA+UoYHdDB3ycrw6bd4qPLE=");
        assertThat(ScramVerifier.of("non\u00A0breaking", SALT, 4096)).isEqualTo("SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$"
                + "JZGRo/1gSRW64CFPHfqQ3JgU6x5HBKu2tdlwIIqGJC8=:8Ii9yaDJ2ZvtTNWvag2nSbWXll4P+kQvgRSBJ5fo3Bg=");
    }

    @Test
    void aPasswordIsRecognisedBehindItsVerifierAndAnotherIsNot() {
        String verifier = ScramVerifier.of("it's a \"quote\" \\ back $$ dollar");
        assertThat(ScramVerifier.matches("it's a \"quote\" \\ back $$ dollar", verifier)).isTrue();
        assertThat(ScramVerifier.matches("it's a \"quote\" \\ back $$ dollars", verifier)).isFalse();
        assertThat(ScramVerifier.matches("pencil", "md5abc")).isFalse();
    }

    @Test
    void aRandomSecretsVerifierHasFewRoundsAndAFreshSalt() {
        String secret = "5f0c6a1e9d2b7c4f8a3e6d1b0c9f2a7e4d8b1c6a3f0e9d2b";
        String first = ScramVerifier.ofRandomSecret(secret);
        assertThat(first).startsWith("SCRAM-SHA-256$" + ScramVerifier.RANDOM_SECRET_ITERATIONS + ":");
        assertThat(ScramVerifier.RANDOM_SECRET_ITERATIONS).isLessThan(4096);
        assertThat(ScramVerifier.ofRandomSecret(secret)).isNotEqualTo(first);
        assertThat(ScramVerifier.matches(secret, first)).isTrue();
        assertThat(ScramVerifier.matches(secret + "0", first)).isFalse();
    }

    @Test
    void aVerifierOfTooManyRoundsIsNeverComputed() {
        // what a role can set for itself: 2^31-1 rounds would take hours; it is answered at once, as no match
        long started = System.nanoTime();
        assertThat(ScramVerifier.matches("pencil", "SCRAM-SHA-256$2147483647:MDEyMzQ1Njc4OWFiY2RlZg==$"
                + "nQpbZ77WudtqufPwikHXGRt6g2QJ4zns8bZLw273DRM=:jn2amWP1q1h+jgjy0YTO14S6/F02SV7taipOeB7ef20=")).isFalse();
        assertThat(ScramVerifier.matches("pencil", "SCRAM-SHA-256$0:MDEyMzQ1Njc4OWFiY2RlZg==$x:y")).isFalse();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(1));
        String atTheCap = ScramVerifier.of("pencil", SALT, ScramVerifier.MAX_ITERATIONS);
        assertThat(ScramVerifier.matches("pencil", atTheCap)).isTrue();
    }
}
