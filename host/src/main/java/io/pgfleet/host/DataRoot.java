package io.pgfleet.host;

import java.nio.file.Path;

/**
 * Where local instances and their credential files live ({@code pgfleet.local.data-root}): the
 * configured directory, else {@code /var/lib/pgfleet} as root and {@code ~/.pgfleet/clusters} otherwise.
 */
public final class DataRoot {

    private DataRoot() {
    }

    public static Path of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        return OsUser.isRoot() ? Path.of("/var/lib/pgfleet") : Path.of(System.getProperty("user.home"), ".pgfleet", "clusters");
    }
}
