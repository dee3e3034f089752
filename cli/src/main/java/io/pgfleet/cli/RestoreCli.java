package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.RestoreCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup (the latest by default) into an instance: every database and the roles, or one database.")
final class RestoreCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance restored into (or namespace/name).")
    String name;

    @Option(names = "--from", description = "Instance whose backups are used (default: the instance itself).")
    String from;

    @Option(names = "--backup", description = "Backup id, or the id of one of its snapshots (default: the latest complete backup).")
    String backup;

    @Option(names = {"-d", "--database"}, description = "Restore only this database.")
    String database;

    @Option(names = "--point-in-time", paramLabel = "TIME", description = "Return the whole instance to this time (RFC 3339, e.g. "
            + "2026-11-30T14:05:00Z) from the WAL archive: in place, or from --from's archive into this instance.")
    String pointInTime;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.RESTORE, key, new RestoreCommand(key.name(), key.namespace(), from, backup, database, pointInTime));
    }
}
