package io.pgfleet.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The pgfleet checkout the command runs from (set by the launcher script as {@code pgfleet.home}). */
final class Home {

    private Home() {
    }

    static Path get() {
        String home = System.getProperty("pgfleet.home", System.getenv().getOrDefault("PGFLEET_HOME", "."));
        Path path = Path.of(home).toAbsolutePath().normalize();
        if (!Files.exists(path.resolve("pom.xml")) || !Files.isDirectory(path.resolve("provisioner"))) {
            throw new IllegalStateException(path + " is not a pgfleet checkout: run the pgfleet script at its root");
        }
        return path;
    }
}
