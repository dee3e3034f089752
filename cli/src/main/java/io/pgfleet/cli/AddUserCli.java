package io.pgfleet.cli;

import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add-user", mixinStandardHelpOptions = true, description = "Add (or update) a user of an instance.")
final class AddUserCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = {"-u", "--user"}, required = true, description = "The user's name.")
    String user;

    @Option(names = "--password-env", description = "Name of an environment variable holding the password (none: one is generated "
            + "and kept in the credential store). Passwords are never taken on the command line.")
    String passwordEnv;

    @Option(names = "--replication", description = "May open replication connections.")
    boolean replication;

    @Option(names = "--superuser", description = "Is a superuser.")
    boolean superuser;

    @Option(names = {"-d", "--database"}, description = "Access as DATABASE=LEVEL (admin, readonly, app, monitoring); repeatable.")
    Map<String, String> databases = new LinkedHashMap<>();

    @Override
    public Integer call() {
        String password = null;
        if (passwordEnv != null) {
            password = System.getenv(passwordEnv);
            if (password == null) {
                throw new IllegalArgumentException("environment variable " + passwordEnv + " is not set");
            }
        }
        var key = kafka.instance(name);
        return publish(CommandType.ADD_USER, key, new AddUserCommand(key.name(), key.namespace(), user, password,
                replication ? Boolean.TRUE : null, superuser ? Boolean.TRUE : null, databases.isEmpty() ? null : databases));
    }
}
