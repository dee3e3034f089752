package io.pgfleet.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The installed PostgreSQL server programs ({@code initdb}, {@code pg_ctl}, {@code pg_basebackup},
 * {@code pg_dump}, ...), from {@code /usr/lib/postgresql/<major>/bin}, the newest major first.
 *
 * @param directory    the bin directory
 * @param majorVersion its major version
 */
public record PgBinaries(Path directory, int majorVersion) {

    /** Where Debian installs the server binaries. */
    public static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    /**
     * Finds the binaries.
     *
     * @param configured a bin directory to use instead of searching, if any
     * @throws IllegalStateException saying what to install when none is found
     */
    public static PgBinaries find(Optional<Path> configured) {
        if (configured.isPresent()) {
            Path dir = configured.get();
            if (!Files.isExecutable(dir.resolve("initdb"))) {
                throw new IllegalStateException("no initdb in the configured PostgreSQL bin directory " + dir);
            }
            return new PgBinaries(dir, majorOf(dir));
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                Optional<Path> newest = versions
                        .filter(v -> v.getFileName().toString().matches("[0-9]+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return new PgBinaries(newest.get().resolve("bin"), Integer.parseInt(newest.get().getFileName().toString()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no PostgreSQL server binaries under " + DEBIAN_ROOT
                + "; install them (Debian: apt-get install postgresql) or configure their bin directory");
    }

    /** The path of one program. */
    public String tool(String name) {
        return directory.resolve(name).toString();
    }

    private static int majorOf(Path binDir) {
        String name = binDir.getParent() == null ? "" : binDir.getParent().getFileName().toString();
        return name.matches("[0-9]+") ? Integer.parseInt(name) : 0;
    }
}
