package io.pgfleet.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pgfleet checkout {@code up} and {@code demo} run the services from: {@code pgfleet.home} (set by the checkout's
 * launcher script), else {@code PGFLEET_HOME}, else the working directory. The installed CLI has none of its own.
 */
final class Home {

    private Home() {
    }

    static Path get() {
        String home = System.getProperty("pgfleet.home", System.getenv().getOrDefault("PGFLEET_HOME", "."));
        Path path = Path.of(home).toAbsolutePath().normalize();
        if (!Files.exists(path.resolve("pom.xml")) || !Files.isDirectory(path.resolve("provisioner"))) {
            throw new IllegalStateException(path + " is not a pgfleet checkout: up and demo run the services from one (run its ./pgfleet, "
                    + "or set PGFLEET_HOME to it); the other commands work from anywhere");
        }
        return path;
    }
}
