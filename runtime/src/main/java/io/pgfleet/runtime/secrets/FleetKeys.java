package io.pgfleet.runtime.secrets;

import io.micronaut.context.annotation.Value;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.secrets.SecretFields;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.validation.SecretRules;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's keys for sealed secrets. {@code pgfleet.secrets.key-file}: the current one, a PKCS#8 PEM private key.
 * {@code pgfleet.secrets.previous-key-file}: while keys rotate, the previous one.
 * {@code pgfleet.secrets.previous-key-until}: until when (an RFC 3339 instant) the previous key is accepted. Every service that takes commands checks that each
 * sealed field of a command opens for its instance (so the three answer alike); a service opens a value again only when
 * it uses it. Without a key file, sealed values are refused (clear ones still work unless
 * {@code pgfleet.secrets.require-sealed}).
 */
@Singleton
public class FleetKeys {

    private final Optional<FleetKey> current;
    private final Optional<FleetKey> previous;
    private final Instant previousUntil;
    private final Clock clock;

    public FleetKeys(@Value("${pgfleet.secrets.key-file:}") String keyFile, @Value("${pgfleet.secrets.previous-key-file:}") String previousFile,
                     @Value("${pgfleet.secrets.previous-key-until:}") String previousUntil, Clock clock) {
        this.current = keyFile.isBlank() ? Optional.empty() : Optional.of(FleetKey.read(Path.of(keyFile)));
        this.previous = previousFile.isBlank() ? Optional.empty() : Optional.of(FleetKey.read(Path.of(previousFile)));
        this.previousUntil = previousUntil.isBlank() ? Instant.EPOCH : Instant.parse(previousUntil);
        this.clock = clock;
    }

    /**
     * A key derived from the fleet's private key (HMAC-SHA256 of a fixed label), for digests that must not reveal a secret
     * (command fingerprints); {@code null} without a fleet key.
     */
    public byte[] derivedKey(String purpose) {
        return current.map(key -> key.derive(purpose)).orElse(null);
    }

    /** The keys publishers may seal with (the current one first), public halves only. */
    public List<FleetKey> published() {
        List<FleetKey> keys = new ArrayList<>();
        current.ifPresent(keys::add);
        previous.filter(key -> Instant.now(clock).isBefore(previousUntil)).ifPresent(keys::add);
        return keys;
    }

    /**
     * The clear value of a secret field: the value itself when it is not sealed, else the opened one.
     *
     * @throws IllegalArgumentException saying why a sealed value does not open (never quoting it)
     */
    public String open(String value, InstanceKey instance) {
        if (value == null || !Sealed.isSealed(value)) {
            return value;
        }
        Sealed.headerProblem(value, instance.toString()).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        String kid = Sealed.header(value).map(Sealed.Header::kid).orElse(null);
        FleetKey key = published().stream().filter(k -> k.id().equals(kid)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                current.isEmpty() ? "is sealed, but this fleet has no key to open it (pgfleet.secrets.key-file)"
                        : "is sealed with key " + kid + ", which this fleet does not hold (or no longer accepts); seal it again with the "
                        + "fleet's current key " + current.get().id()));
        return key.open(value, instance);
    }

    /** The sealed fields of a command that do not open for its instance, or whose opened value breaks {@link SecretRules}, each with the reason (no value quoted). */
    public List<FieldError> check(Object payload, InstanceKey instance) {
        List<FieldError> errors = new ArrayList<>();
        SecretFields.of(payload).forEach((path, value) -> {
            try {
                String opened = open(value, instance);
                if (Sealed.isSealed(value)) {
                    // what a sealed value holds meets the rules a clear one meets: anyone can seal
                    SecretRules.problem(path, opened).ifPresent(rule -> errors.add(new FieldError(path, "once opened, " + rule)));
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                errors.add(new FieldError(path, e.getMessage()));
            }
        });
        return errors;
    }
}
