package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.command.VerifyCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Prove a backup by restoring it (a restore drill): into a scratch server no tenant reaches, then checked "
                + "(every database, each table's rows as recorded at backup time, pg_amcheck) and removed; the answer says the "
                + "restore's seconds and what was found. The instance itself is not touched.")
final class VerifyCli extends Publishing implements Callable<Integer> {

    @Parameters(index = "0", description = "Instance name (or namespace/name).")
    String name;

    @Option(names = "--backup", description = "Backup id, or the id of one of its snapshots (default: the newest restorable time where the WAL is archived, else the latest complete backup).")
    String backup;

    @Option(names = "--point-in-time", paramLabel = "TIME", description = "Verify a point in time instead (RFC 3339, e.g. "
            + "2026-11-30T14:05:00Z): the WAL archive restored to it in the scratch server, which must reach it.")
    String pointInTime;

    @Override
    public Integer call() {
        var key = kafka.instance(name);
        return publish(CommandType.VERIFY, key, new VerifyCommand(key.name(), key.namespace(), backup, pointInTime));
    }
}
