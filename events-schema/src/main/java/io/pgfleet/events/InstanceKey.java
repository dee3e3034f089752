package io.pgfleet.events;

import java.util.Objects;

/**
 * Identifies an instance across topics: the Kafka record key and the CloudEvents subject, written
 * {@code <namespace>/<name>}. All commands of one instance share it, so they keep their order.
 *
 * @param namespace the namespace (never null once resolved)
 * @param name      the instance name
 */
public record InstanceKey(String namespace, String name) {

    public InstanceKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    /**
     * Reads {@code namespace/name}; a bare {@code name} takes {@code defaultNamespace}.
     *
     * @throws IllegalArgumentException when the text has more than one '/' or an empty part
     */
    public static InstanceKey parse(String text, String defaultNamespace) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an instance key is <namespace>/<name> or <name>, got an empty key");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new InstanceKey(defaultNamespace, text);
        }
        String namespace = text.substring(0, slash);
        String name = text.substring(slash + 1);
        if (namespace.isEmpty() || name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("an instance key is <namespace>/<name> or <name>, got '" + text + "'");
        }
        return new InstanceKey(namespace, name);
    }

    /**
     * Reads a key that was resolved before (as services store it): {@code namespace/name}, nothing defaulted.
     *
     * @throws IllegalArgumentException when the text is not {@code namespace/name}
     */
    public static InstanceKey of(String resolved) {
        if (resolved == null || resolved.indexOf('/') < 0) {
            throw new IllegalArgumentException("a resolved instance key is <namespace>/<name>, got '" + resolved + "'");
        }
        return parse(resolved, null);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
