package io.pgfleet.cli;

import io.pgfleet.runtime.secrets.FleetKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The local stack's own secrets, made once in its data directory and kept there 0600. */
final class LocalSecrets {

    private LocalSecrets() {
    }

    /** The restic password of repositories made with the stack's default credentials: made once, kept 0600 in the data directory. */
    static String defaultResticPassword(Path dataDir) throws IOException {
        Path file = dataDir.resolve("backup-default-password");
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new java.security.SecureRandom().nextBytes(random);
            Path partial = dataDir.resolve("backup-default-password.new");
            Files.deleteIfExists(partial);
            Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(partial, java.util.HexFormat.of().formatHex(random));
            Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(file).strip();
    }

    /** The fleet's key for sealed secrets: made once; its public half beside it, for `pgfleet apply` and `pgfleet seal`. */
    static FleetKey fleetKey(Path dataDir) throws IOException {
        FleetKey key = FleetKey.createIfAbsent(dataDir.resolve("fleet-key.pem"));
        Files.writeString(dataDir.resolve(FleetKeyLookup.FILE), key.publicJwk());
        return key;
    }
}
