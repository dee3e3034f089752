package io.pgfleet.events.secrets;

import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Postgres;
import java.util.LinkedHashMap;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.json.Json;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * The secret fields of a command, by path: {@code spec.users.<name>.password}, {@code spec.backup.s3AccessKey},
 * {@code spec.backup.s3SecretKey}, {@code spec.backup.resticPassword} of a provision, {@code password} of an add-user.
 * Each may be given in clear or sealed ({@link Sealed}).
 */
public final class SecretFields {

    /** The names secret fields have, wherever they are in a payload (for what reads a payload as plain JSON). */
    public static final Set<String> NAMES = Set.of("password", "s3AccessKey", "s3SecretKey", "resticPassword");

    private SecretFields() {
    }

    /** The secret fields given in the payload (path to value), in document order. */
    public static Map<String, String> of(Object payload) {
        Map<String, String> secrets = new LinkedHashMap<>();
        if (payload instanceof Postgres doc && doc.spec() != null) {
            if (doc.spec().users() != null) {
                doc.spec().users().forEach((name, user) -> {
                    if (user != null && user.password() != null) {
                        secrets.put("spec.users." + name + ".password", user.password());
                    }
                });
            }
            Backup backup = doc.spec().backup();
            if (backup != null) {
                put(secrets, "spec.backup.s3AccessKey", backup.s3AccessKey());
                put(secrets, "spec.backup.s3SecretKey", backup.s3SecretKey());
                put(secrets, "spec.backup.resticPassword", backup.resticPassword());
            }
        } else if (payload instanceof AddUserCommand addUser) {
            put(secrets, "password", addUser.password());
        }
        return secrets;
    }

    /**
     * The payload with each secret field replaced by {@code change(path, value)} (e.g. sealed), everything else as it was.
     */
    @SuppressWarnings("unchecked")
    public static <T> T map(T payload, BinaryOperator<String> change) {
        Map<String, String> secrets = of(payload);
        if (secrets.isEmpty()) {
            return payload;
        }
        ObjectNode tree = Json.mapper().valueToTree(payload);
        secrets.forEach((path, value) -> {
            String[] parts = path.split("\\.");
            ObjectNode node = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                node = (ObjectNode) node.get(parts[i]);
            }
            node.put(parts[parts.length - 1], change.apply(path, value));
        });
        try {
            return (T) Json.mapper().treeToValue(tree, payload.getClass());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a payload with changed secret fields cannot be read back", e);
        }
    }

    private static void put(Map<String, String> secrets, String path, String value) {
        if (value != null) {
            secrets.put(path, value);
        }
    }
}
