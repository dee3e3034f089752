package io.pgfleet.backup.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.pgfleet.host.FileTrees;
import java.io.UncheckedIOException;

/** A backup's work directory: only this process's user can read it (the roles' file holds password verifiers). */
final class WorkDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(WorkDirectory.class);

    private WorkDirectory() {
    }

    static void create(Path directory) throws IOException {
        Files.createDirectories(directory.getParent());
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    static void delete(Path directory) throws IOException {
        try {
            FileTrees.delete(directory);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static void deleteQuietly(Path directory) {
        try {
            delete(directory);
        } catch (IOException e) {
            LOG.warn("the work directory {} could not be removed: {}", directory, e.getMessage());
        }
    }
}
