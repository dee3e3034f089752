package io.pgfleet.events.validation;

import static io.pgfleet.events.json.Paths.child;
import static io.pgfleet.events.json.Paths.index;

import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.BackupCommand;
import io.pgfleet.events.command.RestoreCommand;
import io.pgfleet.events.command.DeleteCommand;
import io.pgfleet.events.command.InstanceCommand;
import io.pgfleet.events.command.ScaleCommand;
import io.pgfleet.events.postgres.Backup;
import io.pgfleet.events.postgres.Database;
import io.pgfleet.events.postgres.DatabaseRoles;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.postgres.Quorum;
import io.pgfleet.events.postgres.User;
import io.pgfleet.events.status.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of every command payload. It returns all errors at once, each with its path; an empty
 * list means the command is valid. It checks what can be known from the command alone; what
 * depends on an instance's current state (a volume may only grow) is checked by the service.
 */
public final class CommandValidator {

    private static final Pattern PARAMETER_NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
    private static final Pattern STORAGE_CLASS = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final int MAX_PARAMETER_VALUE = 1024;

    private static final java.util.regex.Pattern BACKUP_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{7,63}");

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
        if (payload instanceof BackupCommand || payload instanceof DeleteCommand) {
            Errors errors = new Errors();
            checkInstance((InstanceCommand) payload, errors);
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
        if (restore.backup() != null && !BACKUP_ID.matcher(restore.backup()).matches()) {
            errors.add("backup", "'" + restore.backup() + "' is not a backup id or a snapshot id: 8 to 64 letters, digits or '-'");
        }
        if (restore.database() != null && !restore.database().equals("postgres")) {
            Names.checkDatabaseName(restore.database()).ifPresent(rule -> errors.add("database", rule));
        }
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
            checkExtension("extension", addExtension.extension(), errors);
        }
        return errors.toList();
    }

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
                && (spec.storageClass().length() > 253 || !STORAGE_CLASS.matcher(spec.storageClass()).matches())) {
            errors.add("spec.storageClass", "'" + spec.storageClass() + "' is not a valid storage class name: "
                    + "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }
        if (spec.postgresql() != null && spec.postgresql().parameters() != null) {
            spec.postgresql().parameters().forEach((name, value) ->
                    checkParameter(child("spec.postgresql.parameters", name), name, value, errors));
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
        });
        databases.forEach((name, database) -> checkDatabase(child("spec.databases", name), name, database, users.keySet(), errors));
        if (spec.backup() != null) {
            checkBackup("spec.backup", spec.backup(), errors);
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

    private void checkParameter(String path, String name, Object value, Errors errors) {
        if (!PARAMETER_NAME.matcher(name).matches()) {
            errors.add(path, io.pgfleet.events.json.Paths.quote(name) + " is not a valid setting name: lower-case letters, digits "
                    + "and '_', with at most one '.' for extension settings");
            return;
        }
        if (ManagedParameters.isManaged(name)) {
            errors.add(path, "'" + name + "' is managed by the cluster itself and may not be set");
            return;
        }
        if (SettingsCatalogue.isUnsafe(name)) {
            errors.add(path, "'" + name + "' makes the server load code or read files named in the document, so it may not be set");
            return;
        }
        int dot = name.indexOf('.');
        if (dot >= 0) {
            String prefix = name.substring(0, dot);
            if (policy.allowedExtensions().stream().noneMatch(extension -> extension.replace('-', '_').equals(prefix))) {
                errors.add(path, "'" + name + "' is not a setting of an allowed extension (allowed: " + policy.allowedExtensionsText() + ")");
                return;
            }
        } else if (SettingsCatalogue.find(name).isEmpty()) {
            errors.add(path, "'" + name + "' is not a PostgreSQL " + SettingsCatalogue.MAJOR + " configuration setting"
                    + SettingsCatalogue.nearest(name).map(near -> "; did you mean '" + near + "'?").orElse(""));
            return;
        }
        if (!(value instanceof String) && !(value instanceof Number) && !(value instanceof Boolean)) {
            errors.add(path, "must be a string, a number or a boolean");
            return;
        }
        String text = value.toString();
        if (text.isEmpty() || text.length() > MAX_PARAMETER_VALUE) {
            errors.add(path, "must be 1 to " + MAX_PARAMETER_VALUE + " characters long");
        } else if (text.chars().anyMatch(c -> c < 0x20)) {
            errors.add(path, "must not contain control characters such as a line break");
        } else if (name.equals("wal_level") && !text.equals("replica") && !text.equals("logical")) {
            errors.add(path, "must be 'replica' or 'logical' (replicas need at least replica), got '" + text + "'");
        }
    }

    private static void checkPassword(String path, String password, Errors errors) {
        if (password == null) {
            return;
        }
        if (password.isEmpty()) {
            errors.add(path, "must not be empty; leave it out to have one generated");
        } else if (password.indexOf('\0') >= 0) {
            errors.add(path, "must not contain a NUL character");
        } else if (password.length() > 1024) {
            errors.add(path, "must be at most 1024 characters");
        }
    }

    private void checkDatabase(String path, String name, Database database, Set<String> users, Errors errors) {
        Names.checkDatabaseName(name).ifPresent(rule -> errors.add(path, rule));
        if (database.roles() != null) {
            for (String level : DatabaseRoles.LEVELS) {
                List<String> members = database.roles().members(level);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < members.size(); i++) {
                    String member = members.get(i);
                    String memberPath = index(path + ".roles." + level, i);
                    if (!users.contains(member)) {
                        errors.add(memberPath, "'" + member + "' is not a user declared in spec.users");
                    } else if (!seen.add(member)) {
                        errors.add(memberPath, "'" + member + "' is listed twice");
                    }
                }
            }
        }
        if (database.extensions() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < database.extensions().size(); i++) {
                String extension = database.extensions().get(i);
                String extensionPath = index(path + ".extensions", i);
                if (!seen.add(extension)) {
                    errors.add(extensionPath, "'" + extension + "' is listed twice");
                } else {
                    checkExtension(extensionPath, extension, errors);
                }
            }
        }
    }

    private void checkExtension(String path, String extension, Errors errors) {
        if (!policy.allowedExtensions().contains(extension)) {
            errors.add(path, io.pgfleet.events.json.Paths.quote(extension) + " is not an allowed extension (allowed: "
                    + policy.allowedExtensionsText() + ")");
        }
    }

    private static void checkBackup(String path, Backup backup, Errors errors) {
        boolean enabled = Boolean.TRUE.equals(backup.enabled());
        if (backup.s3Region() != null && !REGION.matcher(backup.s3Region()).matches()) {
            errors.add(path + ".s3Region", "'" + backup.s3Region() + "' is not a valid region: lower-case letters, digits and '-'");
        }
        if (backup.s3Bucket() != null) {
            try {
                S3Location.parse(backup.s3Bucket());
            } catch (IllegalArgumentException e) {
                errors.add(path + ".s3Bucket", e.getMessage());
            }
        } else if (enabled) {
            errors.add(path + ".s3Bucket", "is required when backups are enabled");
        }
        if (backup.schedule() != null) {
            try {
                CronExpression.parse(backup.schedule());
            } catch (IllegalArgumentException e) {
                errors.add(path + ".schedule", e.getMessage());
            }
        }
        if (backup.cleanupStrategy() != null) {
            List<String> problems = new ArrayList<>();
            RetentionPolicy.parse(backup.cleanupStrategy(), problems);
            problems.forEach(problem -> errors.add(path + ".cleanupStrategy", problem));
        }
        // The three secrets go together: a document either brings a full set or keeps the stored one.
        if (backup.hasCredentials()) {
            requireSecret(path + ".s3AccessKey", backup.s3AccessKey(), errors);
            requireSecret(path + ".s3SecretKey", backup.s3SecretKey(), errors);
            requireSecret(path + ".resticPassword", backup.resticPassword(), errors);
        }
    }

    private static void requireSecret(String path, String value, Errors errors) {
        if (value == null || value.isEmpty()) {
            errors.add(path, "is required with the other backup credentials (s3AccessKey, s3SecretKey and resticPassword go together)");
        } else if (value.chars().anyMatch(c -> c < 0x20)) {
            errors.add(path, "must not contain control characters");
        }
    }
}
