package io.pgfleet.clusters.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import io.pgfleet.host.FileTrees;
import io.pgfleet.host.NoFollowFiles;

/** Small file operations of the local driver, unchecked. */
final class LocalFiles {

    private LocalFiles() {
    }

    static Optional<String> read(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file whole, never through a link an instance's account planted ({@link io.pgfleet.host.NoFollowFiles}). */
    static void write(Path file, String text, String permissions) {
        NoFollowFiles.write(file, text, permissions);
    }

    static void mkdir(Path dir, String permissions) {
        try {
            Files.createDirectories(dir);
            if (Files.isSymbolicLink(dir)) {
                // e.g. a socket directory under /tmp planted by another account: never changed through the link
                throw new IOException(dir + " is a symbolic link, not a directory pgfleet made");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        FileTrees.delete(root);
    }

    static long sizeOf(Path root) {
        return FileTrees.size(root);
    }
}
