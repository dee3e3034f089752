package io.pgfleet.usermanager.credentials;

import io.pgfleet.events.InstanceKey;
import java.util.Map;

/**
 * Where the users' passwords live: Secret {@code <name>-credentials} in Kubernetes, a 0600 file with
 * the local driver. Never a state table, an event or a log line.
 */
public interface CredentialStore {

    /** User name to password for the instance. */
    Map<String, String> read(InstanceKey instance);

    /** Sets the passwords of these users (others stay). */
    void write(InstanceKey instance, Map<String, String> passwords);
}
