package io.pgfleet.cli;

import io.pgfleet.runtime.secrets.FleetKey;
import io.pgfleet.runtime.security.HttpTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/** The local stack's own secrets, made once in its data directory and kept there 0600. */
final class LocalSecrets {

    private LocalSecrets() {
    }

    /** The file the local stack's platform token for the services' views is kept in (the CLI reads it). */
    static final String HTTP_TOKEN = "http-token";

    /** The restic password of repositories made with the stack's default credentials: made once, kept 0600 in the data directory. */
    static String defaultResticPassword(Path dataDir) throws IOException {
        return madeOnce(dataDir.resolve("backup-default-password"), () -> {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            return HexFormat.of().formatHex(random);
        });
    }

    /** The key the services' view tokens are signed with: made once, kept 0600 in the data directory. */
    static String httpTokenSecret(Path dataDir) throws IOException {
        return madeOnce(dataDir.resolve("http-token-secret"), HttpTokens::newSecret);
    }

    /** A platform token for the views (a year), written 0600 to {@link #HTTP_TOKEN}, where {@code pgfleet} commands find it. */
    static void writeHttpToken(Path dataDir) throws IOException {
        String token = HttpTokens.mint(httpTokenSecret(dataDir), "pgfleet-local", HttpTokens.PLATFORM, List.of(),
                Duration.ofDays(365), Clock.systemUTC());
        write(dataDir.resolve(HTTP_TOKEN), token);
    }

    private static String madeOnce(Path file, Supplier<String> make) throws IOException {
        if (!Files.exists(file)) {
            write(file, make.get());
        }
        return Files.readString(file).strip();
    }

    /** Writes a file 0600 from its creation on, replacing it whole (a reader never sees half of it). */
    private static void write(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(partial, text);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The fleet's key for sealed secrets: made once; its public half beside it, for `pgfleet apply` and `pgfleet seal`. */
    static FleetKey fleetKey(Path dataDir) throws IOException {
        FleetKey key = FleetKey.createIfAbsent(dataDir.resolve("fleet-key.pem"));
        Files.writeString(dataDir.resolve(FleetKeyLookup.FILE), key.publicJwk());
        return key;
    }
}
