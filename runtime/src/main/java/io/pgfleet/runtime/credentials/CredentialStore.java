package io.pgfleet.runtime.credentials;

import io.pgfleet.events.InstanceKey;
import java.util.Map;

/**
 * Where an instance's secrets of one kind live (users' passwords, backup credentials): Secret
 * {@code <name>-<kind>} in Kubernetes, a 0600 file {@code <data-root>/credentials/<namespace>/<name>-<kind>.json}
 * with the local driver. Never a state table, an event or a log line.
 */
public interface CredentialStore {

    /** Key (user name, credential name) to secret for the instance; empty when there is none. */
    Map<String, String> read(InstanceKey instance);

    /** Sets these keys (others stay). */
    void write(InstanceKey instance, Map<String, String> secrets);

    /** Removes every secret of this kind of the instance. */
    void delete(InstanceKey instance);

}
