package io.pgfleet.events.postgres;

import io.pgfleet.events.Doc;

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
                required = true) String name,
        @Doc("Namespace (RFC 1123 label). Optional: the services' configured default namespace when absent.") String namespace) {
}
