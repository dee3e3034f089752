package io.pgfleet.events.validation;

import static io.pgfleet.events.json.Paths.child;

import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.VerifyCommand;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.command.InstanceCommand;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.command.SwitchoverCommand;
import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.secrets.Sealed;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.Quorum;
import io.pgfleet.events.postgres.User;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.NameRules;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of every command payload. It returns all errors at once, each with its path; an empty
 * list means the command is valid. It checks what can be known from the command alone; what
 * depends on an instance's current state (a volume may only grow) is checked by the service.
 */
public final class CommandValidator {

    private static final Pattern STORAGE_CLASS = Pattern.compile(NameRules.STORAGE_CLASS);

    private static final Pattern BACKUP_ID = Pattern.compile(NameRules.BACKUP_ID);

    private final ValidationPolicy policy;

    public CommandValidator(ValidationPolicy policy) {
        this.policy = policy;
    }

    /** Validates any command payload of {@link io.pgfleet.events.command.CommandType}. */
    public List<FieldError> validate(Object payload) {
        if (payload instanceof Postgres postgres) {
            return validate(postgres);
        }
        if (payload instanceof ScaleCommand scale) {
            return validate(scale);
        }
        if (payload instanceof AddUserCommand addUser) {
            return validate(addUser);
        }
        if (payload instanceof AddExtensionCommand addExtension) {
            return validate(addExtension);
        }
        if (payload instanceof RestoreCommand restore) {
            return validate(restore);
        }
        if (payload instanceof BackupCommand || payload instanceof DeleteCommand || payload instanceof SwitchoverCommand
                || payload instanceof VerifyCommand) {
            Errors errors = new Errors();
            checkInstance((InstanceCommand) payload, errors);
            if (payload instanceof VerifyCommand verify) {
                checkBackupId(verify.backup(), errors);
                BackupRules.checkPointInTime(verify.pointInTime(), verify.backup(), null, errors);
            }
            if (payload instanceof SwitchoverCommand switchover) {
                Names.checkMember(switchover.instance(), switchover.to()).ifPresent(rule -> errors.add("to", rule));
            }
            return errors.toList();
        }
        throw new IllegalArgumentException("not a command payload: " + payload.getClass().getName());
    }

    /** Validates a provision command's document. */
    public List<FieldError> validate(Postgres doc) {
        Errors errors = new Errors();
        if (!Postgres.API_VERSION.equals(doc.apiVersion())) {
            errors.add("apiVersion", "must be '" + Postgres.API_VERSION + "', got '" + doc.apiVersion() + "'");
        }
        if (!Postgres.KIND.equals(doc.kind())) {
            errors.add("kind", "must be '" + Postgres.KIND + "', got '" + doc.kind() + "'");
        }
        if (doc.metadata() != null) {
            checkName("metadata.name", doc.metadata().name(), errors);
            checkNamespace("metadata.namespace", doc.metadata().namespace(), errors);
        }
        if (doc.spec() != null) {
            checkSpec(doc.spec(), errors);
        }
        return errors.toList();
    }

    private static void checkBackupId(String backup, Errors errors) {
        if (backup != null && !BACKUP_ID.matcher(backup).matches()) {
            errors.add("backup", "'" + backup + "' is not a backup id or a snapshot id: 8 to 64 letters, digits or '-'");
        }
    }

    /** Validates a restore command. */
    public List<FieldError> validate(RestoreCommand restore) {
        Errors errors = new Errors();
        checkInstance(restore, errors);
        if (restore.from() != null) {
            String[] parts = restore.from().split("/", -1);
            if (parts.length > 2) {
                errors.add("from", "'" + restore.from() + "' is not an instance: name or namespace/name");
            } else {
                if (parts.length == 2) {
                    checkNamespace("from", parts[0], errors);
                }
                checkName("from", parts[parts.length - 1], errors);
            }
        }
        checkBackupId(restore.backup(), errors);
        if (restore.database() != null && !restore.database().equals("postgres")) {
            Names.checkDatabaseName(restore.database()).ifPresent(rule -> errors.add("database", rule));
        }
        BackupRules.checkPointInTime(restore.pointInTime(), restore.backup(), restore.database(), errors);
        return errors.toList();
    }

    /** Validates a scale command. */
    public List<FieldError> validate(ScaleCommand scale) {
        Errors errors = new Errors();
        checkInstance(scale, errors);
        if (scale.replicas() == null && scale.size() == null && scale.quorum() == null) {
            errors.add("", "at least one of replicas, size and quorum must be given");
        }
        if (scale.replicas() != null) {
            checkReplicas("replicas", scale.replicas(), errors);
        }
        if (scale.size() != null) {
            checkSize("size", scale.size(), errors);
        }
        if (scale.quorum() != null) {
            checkQuorum("quorum", scale.quorum(), scale.replicas(), errors);
        }
        return errors.toList();
    }

    /** Validates an add-user command. */
    public List<FieldError> validate(AddUserCommand addUser) {
        Errors errors = new Errors();
        checkInstance(addUser, errors);
        if (addUser.name() != null) {
            Names.checkUserName(addUser.name()).ifPresent(rule -> errors.add("name", rule));
        }
        checkPassword("password", addUser.password(), errors);
        if (Boolean.TRUE.equals(addUser.superuser()) && !policy.allowSuperusers()) {
            errors.add("superuser", ValidationPolicy.NO_SUPERUSERS);
        }
        if (addUser.databases() != null) {
            addUser.databases().forEach((database, level) -> {
                String path = child("databases", database);
                Names.checkDatabaseName(database).ifPresent(rule -> errors.add(path, rule));
                if (!DatabaseRoles.LEVELS.contains(level)) {
                    errors.add(path, "'" + level + "' is not an access level; use one of " + DatabaseRoles.LEVELS);
                }
            });
        }
        return errors.toList();
    }

    /** Validates an add-extension command. */
    public List<FieldError> validate(AddExtensionCommand addExtension) {
        Errors errors = new Errors();
        checkInstance(addExtension, errors);
        if (addExtension.database() != null) {
            Names.checkDatabaseName(addExtension.database()).ifPresent(rule -> errors.add("database", rule));
        }
        if (addExtension.extension() != null) {
            DatabaseRules.checkExtension("extension", addExtension.extension(), policy, errors);
        }
        return errors.toList();
    }

    /** Why a clear secret is refused where every secret must be sealed. */
    static final String REQUIRE_SEALED = "must be sealed for its instance (pgfleet.secrets.require-sealed is true): seal it with "
            + "`pgfleet seal` or the fleet's public key (GET /fleet/keys); the value is not repeated here";

    private void checkInstance(InstanceCommand command, Errors errors) {
        checkName("instance", command.instance(), errors);
        checkNamespace("namespace", command.namespace(), errors);
    }

    private static void checkName(String path, String name, Errors errors) {
        if (name != null) {
            Names.checkInstanceName(name).ifPresent(rule -> errors.add(path, rule));
        }
    }

    private static void checkNamespace(String path, String namespace, Errors errors) {
        if (namespace != null) {
            Names.checkNamespace(namespace).ifPresent(rule -> errors.add(path, rule));
        }
    }

    private void checkSpec(PostgresSpec spec, Errors errors) {
        if (spec.size() != null) {
            checkSize("spec.size", spec.size(), errors);
        }
        if (spec.replicas() != null) {
            checkReplicas("spec.replicas", spec.replicas(), errors);
        }
        if (spec.storageClass() != null
                && (spec.storageClass().length() > NameRules.MAX_STORAGE_CLASS || !STORAGE_CLASS.matcher(spec.storageClass()).matches())) {
            errors.add("spec.storageClass", "'" + spec.storageClass() + "' is not a valid storage class name: "
                    + "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }
        if (spec.postgresql() != null && spec.postgresql().parameters() != null) {
            spec.postgresql().parameters().forEach((name, value) ->
                    ParameterRules.check(child("spec.postgresql.parameters", name), name, value, policy, errors));
            Object walKeep = spec.postgresql().parameters().get("max_slot_wal_keep_size");
            if (walKeep != null) {
                ParameterRules.checkSlotWalKeep(child("spec.postgresql.parameters", "max_slot_wal_keep_size"), walKeep, spec.effective().size(),
                        errors);
            }
        }
        if (spec.quorum() != null) {
            checkQuorum("spec.quorum", spec.quorum(), spec.effective().replicas(), errors);
        }
        Map<String, User> users = spec.users() == null ? Map.of() : spec.users();
        Map<String, Database> databases = spec.databases() == null ? Map.of() : spec.databases();
        if (users.size() > policy.limits().maxUsers()) {
            errors.add("spec.users", "has " + users.size() + " users; at most " + policy.limits().maxUsers() + " are allowed");
        }
        if (databases.size() > policy.limits().maxDatabases()) {
            errors.add("spec.databases", "has " + databases.size() + " databases; at most " + policy.limits().maxDatabases()
                    + " are allowed");
        }
        Map<String, String> groupRoles = new HashMap<>();
        databases.keySet().forEach(db -> DatabaseRoles.LEVELS.forEach(level -> groupRoles.put(db + "_" + level, db)));
        users.forEach((name, user) -> {
            String path = child("spec.users", name);
            Optional<String> rule = Names.checkUserName(name);
            rule.ifPresent(r -> errors.add(path, r));
            if (rule.isEmpty() && groupRoles.containsKey(name)) {
                errors.add(path, "'" + name + "' is the name of a group role of database '" + groupRoles.get(name) + "'");
            }
            checkPassword(child(path, "password"), user.password(), errors);
            if (Boolean.TRUE.equals(user.superuser()) && !policy.allowSuperusers()) {
                errors.add(child(path, "superuser"), ValidationPolicy.NO_SUPERUSERS);
            }
        });
        databases.forEach((name, database) -> DatabaseRules.check(child("spec.databases", name), name, database, users.keySet(), policy, errors));
        if (spec.backup() != null) {
            BackupRules.check("spec.backup", spec.backup(), policy, errors);
        }
        if (spec.pooler() != null) {
            PoolerRules.check("spec.pooler", spec, errors);
        }
    }

    private void checkReplicas(String path, int replicas, Errors errors) {
        if (replicas < 1) {
            errors.add(path, "must be at least 1, got " + replicas);
        } else if (replicas > policy.limits().maxReplicas()) {
            errors.add(path, "must be at most " + policy.limits().maxReplicas() + ", got " + replicas);
        }
    }

    private void checkSize(String path, String size, Errors errors) {
        try {
            BigDecimal bytes = Quantity.bytes(size);
            if (bytes.compareTo(BigDecimal.ZERO) <= 0) {
                errors.add(path, "must be greater than zero, got '" + size + "'");
            } else if (bytes.compareTo(Quantity.bytes(policy.limits().maxSize())) > 0) {
                errors.add(path, "must be at most " + policy.limits().maxSize() + ", got '" + size + "'");
            }
        } catch (IllegalArgumentException e) {
            errors.add(path, e.getMessage());
        }
    }

    private static void checkQuorum(String path, Quorum quorum, Integer replicas, Errors errors) {
        Integer min = quorum.minSyncReplicas();
        Integer max = quorum.maxSyncReplicas();
        if (min != null && min < 0) {
            errors.add(path + ".minSyncReplicas", "must be 0 or more, got " + min);
        }
        if (max != null && max < 0) {
            errors.add(path + ".maxSyncReplicas", "must be 0 or more, got " + max);
        }
        int effectiveMin = min == null ? 0 : min;
        int effectiveMax = max == null ? 0 : max;
        if (effectiveMin > effectiveMax && effectiveMin >= 0 && effectiveMax >= 0) {
            errors.add(path + ".minSyncReplicas", "must not be greater than maxSyncReplicas (" + effectiveMax + "), got " + effectiveMin);
        }
        if (replicas != null && replicas >= 1 && effectiveMax >= replicas) {
            errors.add(path + ".maxSyncReplicas", "must be lower than replicas (" + replicas + "), got " + effectiveMax);
        }
    }

    private void checkPassword(String path, String password, Errors errors) {
        if (password == null) {
            return;
        }
        if (Sealed.isSealed(password)) {
            return; // opened, its instance and these same rules checked, by the services that hold the fleet's key
        }
        if (policy.requireSealed()) {
            errors.add(path, REQUIRE_SEALED);
        } else if (password.isEmpty()) {
            errors.add(path, "must not be empty; leave it out to have one generated");
        } else {
            SecretRules.problem(path, password).ifPresent(rule -> errors.add(path, rule));
        }
    }
}
