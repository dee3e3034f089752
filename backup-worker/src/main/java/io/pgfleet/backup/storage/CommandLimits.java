package io.pgfleet.backup.storage;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * What backup and restore commands may ask.
 *
 * @param crossNamespaceRestores {@code pgfleet.backup.cross-namespace-restores}: {@code <source namespace>:<target namespace>}
 *                               pairs between which a restore may copy backups (none by default)
 * @param backupsPerHour         {@code pgfleet.limits.namespace-backups-per-hour}: on-demand backups a namespace may ask for
 *                               in an hour (12)
 */
public record CommandLimits(List<String> crossNamespaceRestores, int backupsPerHour) {

    public CommandLimits {
        crossNamespaceRestores = List.copyOf(crossNamespaceRestores);
    }

    /** The limits from the configuration. */
    @Factory
    static class FromConfiguration {

        @Singleton
        CommandLimits commandLimits(@Value("${pgfleet.backup.cross-namespace-restores:}") List<String> crossNamespaceRestores,
                                    @Value("${pgfleet.limits.namespace-backups-per-hour:12}") int backupsPerHour) {
            return new CommandLimits(crossNamespaceRestores, backupsPerHour);
        }
    }
}
