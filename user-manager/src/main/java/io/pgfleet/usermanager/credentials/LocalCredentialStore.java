package io.pgfleet.usermanager.credentials;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micronaut.context.annotation.Requires;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import io.pgfleet.runtime.cluster.local.LocalSettings;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/** The local credential file: {@code <data-root>/credentials/<namespace>/<name>.json}, mode 0600. */
@Singleton
@Requires(property = "pgfleet.driver", value = "local", defaultValue = "local")
public class LocalCredentialStore implements CredentialStore {

    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };

    private final Path root;

    public LocalCredentialStore(LocalSettings settings) {
        this.root = settings.dataRoot().resolve("credentials");
    }

    /** The file of an instance. */
    public Path file(InstanceKey instance) {
        return root.resolve(instance.namespace()).resolve(instance.name() + ".json");
    }

    @Override
    public synchronized Map<String, String> read(InstanceKey instance) {
        Path file = file(instance);
        try {
            return Files.exists(file) ? Json.mapper().readValue(file.toFile(), MAP) : new TreeMap<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void write(InstanceKey instance, Map<String, String> passwords) {
        Map<String, String> all = new TreeMap<>(read(instance));
        if (all.entrySet().containsAll(passwords.entrySet())) {
            return;
        }
        all.putAll(passwords);
        Path file = file(instance);
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Json.mapper().writeValueAsString(all));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
