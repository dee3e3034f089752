package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;
import io.pgfleet.events.NameRules;

/**
 * Identifies an instance.
 *
 * @param name      the instance name, a DNS-1035 label of at most 50 characters (it becomes part of
 *                  Kubernetes resource names such as {@code <name>-credentials})
 * @param namespace optional; the services' configured default namespace when absent
 */
@Doc("Identifies the instance.")
public record Metadata(
        @Doc(value = "Instance name: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 50 characters.",
                required = true, pattern = NameRules.INSTANCE, maxLength = NameRules.MAX_INSTANCE) String name,
        @Doc(value = "Namespace (RFC 1123 label). Optional: the services' configured default namespace when absent.",
                pattern = NameRules.NAMESPACE, maxLength = NameRules.MAX_NAMESPACE) String namespace) {
}
