package io.pgfleet.runtime.security;

import io.micronaut.security.authentication.Authentication;
import java.util.Collection;

/**
 * Which namespaces the caller of a view sees: platform and auditor tokens all, a tenant token those of its
 * {@code namespaces} claim, anything else none. A view of an instance the caller does not see answers 404, as if it did
 * not exist, so a tenant learns nothing of another's instances.
 */
public final class ViewScope {

    private ViewScope() {
    }

    /** Whether {@code authentication} sees {@code namespace}. */
    public static boolean sees(Authentication authentication, String namespace) {
        if (authentication == null) {
            return false;
        }
        Collection<String> roles = authentication.getRoles();
        if (roles.contains(HttpTokens.PLATFORM) || roles.contains(HttpTokens.AUDITOR)) {
            return true;
        }
        return roles.contains(HttpTokens.TENANT) && authentication.getAttributes().get(HttpTokens.NAMESPACES) instanceof Collection<?> namespaces
                && namespaces.contains(namespace);
    }

    /** Whether it sees the namespace of an instance key ({@code namespace/name}). */
    public static boolean seesInstance(Authentication authentication, String instanceKey) {
        int slash = instanceKey.indexOf('/');
        return slash > 0 && sees(authentication, instanceKey.substring(0, slash));
    }
}
