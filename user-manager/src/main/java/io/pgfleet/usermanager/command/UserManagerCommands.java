package io.pgfleet.usermanager.command;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.command.AddExtensionCommand;
import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.json.Paths;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.runtime.command.CommandHandler;
import io.pgfleet.runtime.job.JobRepository;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.usermanager.access.AccessJson;
import io.pgfleet.usermanager.access.AccessRepository;
import io.pgfleet.usermanager.access.AccessRow;
import io.pgfleet.runtime.credentials.CredentialStore;
import io.pgfleet.runtime.credentials.CredentialStores;
import io.pgfleet.runtime.secrets.FleetKeys;
import io.pgfleet.usermanager.plan.DesiredAccess;
import io.pgfleet.usermanager.plan.DesiredAccess.DesiredDatabase;
import io.pgfleet.usermanager.plan.DesiredAccess.DesiredUser;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.job.JobKind;
import io.pgfleet.usermanager.access.AccessReconciler;

/**
 * Provision (users and databases part), add-user and add-extension: the new desired access of the
 * instance, and a job that applies it. Passwords go to the credential store, never to a table.
 */
@Singleton
public class UserManagerCommands implements CommandHandler {

    private final AccessRepository access;
    private final JobRepository jobs;
    private final CredentialStore credentials;
    private final Clock clock;
    private final FleetKeys keys;
    private final int maxUsers;

    public UserManagerCommands(AccessRepository access, JobRepository jobs, CredentialStores credentials, Clock clock, FleetKeys keys,
                               PgfleetSettings settings) {
        this.keys = keys;
        this.maxUsers = settings.validationPolicy().limits().maxUsers();
        this.access = access;
        this.jobs = jobs;
        this.credentials = credentials.kind(AccessReconciler.PASSWORDS);
        this.clock = clock;
    }

    @Override
    public Set<CommandType> commandTypes() {
        return Set.of(CommandType.PROVISION, CommandType.ADD_USER, CommandType.ADD_EXTENSION);
    }

    @Override
    public List<FieldError> check(DecodedCommand command) {
        DesiredAccess current = current(command.instance());
        List<FieldError> errors = new ArrayList<>();
        if (command.payload() instanceof AddUserCommand addUser && addUser.databases() != null) {
            addUser.databases().keySet().stream().filter(db -> !current.databases().containsKey(db)).forEach(db ->
                    errors.add(new FieldError(Paths.child("databases", db), "database '" + db + "' is not managed on instance "
                            + command.instance() + "; declare it in the Postgres document first")));
            if (addUser.databases().keySet().stream().anyMatch(db -> DatabaseGroups.isGroupOf(addUser.name(), db))
                    || current.databases().keySet().stream().anyMatch(db -> DatabaseGroups.isGroupOf(addUser.name(), db))) {
                errors.add(new FieldError("name", "'" + addUser.name() + "' is the name of a database group role"));
            }
        }
        if (command.payload() instanceof AddUserCommand addUser && !current.users().containsKey(addUser.name())
                && current.users().size() >= maxUsers) {
            // one add-user at a time must not add up to more users than one document may have
            errors.add(new FieldError("name", "instance " + command.instance() + " has " + current.users().size() + " users already; at most "
                    + maxUsers + " (pgfleet.limits.max-users)"));
        }
        if (command.payload() instanceof AddExtensionCommand addExtension && !current.databases().containsKey(addExtension.database())) {
            errors.add(new FieldError("database", "database '" + addExtension.database() + "' is not managed on instance "
                    + command.instance() + "; declare it in the Postgres document first"));
        }
        return errors;
    }

    @Override
    public String accept(DecodedCommand command) {
        InstanceKey key = command.instance();
        DesiredAccess wanted;
        Map<String, String> passwords = new LinkedHashMap<>();
        String message;
        switch (command.type()) {
            case PROVISION -> {
                Postgres doc = (Postgres) command.payload();
                wanted = DesiredAccess.of(doc.spec());
                doc.spec().effective().users().forEach((name, user) -> {
                    if (user.password() != null) {
                        // A sealed password is opened here, where it is used: into the credential store, nowhere else.
                        passwords.put(name, keys.open(user.password(), key));
                    }
                });
                message = "applying " + wanted.users().size() + " users and " + wanted.databases().size() + " databases";
            }
            case ADD_USER -> {
                AddUserCommand addUser = (AddUserCommand) command.payload();
                wanted = withUser(current(key), addUser);
                if (addUser.password() != null) {
                    passwords.put(addUser.name(), keys.open(addUser.password(), key));
                }
                message = "adding user " + addUser.name();
            }
            case ADD_EXTENSION -> {
                AddExtensionCommand addExtension = (AddExtensionCommand) command.payload();
                wanted = withExtension(current(key), addExtension);
                message = "adding extension " + addExtension.extension() + " to " + addExtension.database();
            }
            default -> throw new IllegalArgumentException("not a user-manager command: " + command.type());
        }
        credentials.write(key, passwords);
        String json = AccessJson.write(wanted);
        access.saveDesired(key.toString(), json);
        jobs.save(JobRow.pending(key.toString(), command.commandId(), JobKind.of(command.type()), json, Instant.now(clock)));
        return message;
    }

    private DesiredAccess current(InstanceKey key) {
        return access.findById(key.toString()).map(AccessRow::desired).map(AccessJson::desired).orElseGet(AccessJson::empty);
    }

    private static DesiredAccess withUser(DesiredAccess current, AddUserCommand addUser) {
        Map<String, DesiredUser> users = new LinkedHashMap<>(current.users());
        users.put(addUser.name(), new DesiredUser(addUser.name(), Boolean.TRUE.equals(addUser.replication()),
                Boolean.TRUE.equals(addUser.superuser())));
        Map<String, DesiredDatabase> databases = new LinkedHashMap<>(current.databases());
        if (addUser.databases() != null) {
            addUser.databases().forEach((db, level) -> {
                DesiredDatabase database = databases.get(db);
                Map<String, List<String>> members = new LinkedHashMap<>(database.members());
                List<String> listed = new ArrayList<>(members.getOrDefault(level, List.of()));
                if (!listed.contains(addUser.name())) {
                    listed.add(addUser.name());
                }
                members.put(level, List.copyOf(listed));
                databases.put(db, new DesiredDatabase(db, members, database.extensions()));
            });
        }
        return new DesiredAccess(users, databases);
    }

    private static DesiredAccess withExtension(DesiredAccess current, AddExtensionCommand addExtension) {
        Map<String, DesiredDatabase> databases = new LinkedHashMap<>(current.databases());
        DesiredDatabase database = databases.get(addExtension.database());
        List<String> extensions = new ArrayList<>(database.extensions());
        if (!extensions.contains(addExtension.extension())) {
            extensions.add(addExtension.extension());
        }
        databases.put(database.name(), new DesiredDatabase(database.name(), database.members(), List.copyOf(extensions)));
        return new DesiredAccess(current.users(), databases);
    }

}
