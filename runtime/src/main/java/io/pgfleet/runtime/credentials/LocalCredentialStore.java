package io.pgfleet.runtime.credentials;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.core.JsonProcessingException;

/** The local credential file: {@code <data-root>/credentials/<namespace>/<name>-<kind>.json}, mode 0600. */
public class LocalCredentialStore implements CredentialStore {

    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };

    private final Path root;
    private final String kind;

    public LocalCredentialStore(Path dataRoot, String kind) {
        this.root = dataRoot.resolve("credentials");
        this.kind = kind;
    }

    /** The file of an instance. */
    public Path file(InstanceKey instance) {
        return root.resolve(instance.namespace()).resolve(instance.name() + "-" + kind + ".json");
    }

    @Override
    public synchronized Map<String, String> read(InstanceKey instance) {
        Path file = file(instance);
        try {
            return Files.exists(file) ? Json.mapper().readValue(file.toFile(), MAP) : new TreeMap<>();
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the text it choked on, which may be a secret.
            throw new IllegalStateException("the credential file " + file + " is not a JSON object of strings (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("the credential file " + file + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public synchronized void write(InstanceKey instance, Map<String, String> secrets) {
        Map<String, String> all = new TreeMap<>(read(instance));
        if (all.entrySet().containsAll(secrets.entrySet())) {
            return;
        }
        all.putAll(secrets);
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

    @Override
    public synchronized void delete(InstanceKey instance) {
        try {
            Files.deleteIfExists(file(instance));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
