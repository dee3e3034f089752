package io.pgfleet.backup.wal;

import io.pgfleet.clusters.TenantSession;
import io.pgfleet.host.CommandResult;
import io.pgfleet.host.NoFollowFiles;
import io.pgfleet.host.OsUser;
import io.pgfleet.host.ProcessRunner;
import io.pgfleet.host.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One instance's pgBackRest repository, driven with the {@code pgbackrest} program as the PostgreSQL account: the
 * configuration file (0600, it holds the S3 keys and the cipher password), the stanza, base backups, {@code info} and
 * restores to a time. The superuser's password reaches pgBackRest (libpq) in its environment, never on its command line.
 */
public final class PgBackRest {

    private static final DateTimeFormatter TARGET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private final String program;
    private final OsUser account;
    private final Path configFile;
    private final Path staged;
    private final String stanza;
    private final Duration timeout;

    public PgBackRest(String program, OsUser account, Path configFile, String stanza, Duration timeout) {
        this.program = program;
        this.account = account;
        this.configFile = configFile;
        this.staged = configFile.resolveSibling(configFile.getFileName() + ".staged");
        this.stanza = stanza;
        this.timeout = timeout;
    }

    /** Writes the configuration (and the directories it names) for the PostgreSQL account; the text replaces any before. */
    public void configure(PgBackRestConfig config, String text) {
        write(config, text, configFile);
    }

    /**
     * Writes the configuration the members' {@code archive_command} reads, but only once it serves: where the file is not
     * there yet (a new instance), the text goes beside it ({@code pgbackrest.conf.staged}, which this repository's own
     * commands read) until {@link #publish} puts it in place after the stanza exists. Until then a member's
     * {@code archive-push} fails at once for want of its configuration and never runs against a repository without a
     * stanza (where an asynchronous push was seen to hang for the whole archive timeout, and the first base backup with it).
     */
    public void stage(PgBackRestConfig config, String text) {
        write(config, text, Files.exists(configFile, LinkOption.NOFOLLOW_LINKS) ? configFile : staged);
    }

    /**
     * Puts a staged configuration in place (an atomic rename): the members' pushes read it from now on.
     *
     * @return whether there was one to put in place (the archiver may be waiting: wake it)
     */
    public boolean publish() {
        if (!Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try {
            Files.move(staged, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(PgBackRestConfig config, String text, Path file) {
        try {
            for (String dir : List.of("log", "lock", "spool")) {
                Files.createDirectories(config.workDir().resolve(dir));
            }
            Files.createDirectories(file.getParent());
            // 0600 from its creation, never through a link the instance's account planted; then handed to that account
            NoFollowFiles.write(file, text, "rw-------");
            account.own(file);
            account.own(config.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file this repository's own commands read: the staged configuration while there is one. */
    private Path active() {
        return Files.exists(staged, LinkOption.NOFOLLOW_LINKS) ? staged : configFile;
    }

    /** The {@code archive_command} a member pushes its WAL with. */
    public String archiveCommand() {
        return program + " --config=" + configFile + " --stanza=" + stanza + " archive-push %p";
    }

    /** Creates the stanza, or checks that the one there belongs to this database (safe to repeat). */
    public void stanzaCreate(String superuserPassword) {
        check(run(List.of("stanza-create"), superuserPassword), "stanza-create");
    }

    /** Checks that WAL reaches the repository: forces a segment switch and waits for it to be archived. */
    public void check(String superuserPassword) {
        check(run(List.of("check"), superuserPassword), "check");
    }

    /** The commands of this repository's that pgfleet runs (never PostgreSQL's {@code archive-push}/{@code archive-get}). */
    private static final Set<String> OWN_COMMANDS = Set.of("backup", "check", "stanza-create", "stanza-upgrade", "expire", "info");

    /**
     * Stops what a killed predecessor left running on this repository: a worker SIGKILLed while pgBackRest ran leaves it
     * running without anyone waiting for it (it holds the stanza's backup lock, so the retried step's own run waits for it
     * or fails — a crash drill saw a base backup start two minutes late, the archive timeout). Only orphans are stopped:
     * a pgBackRest of this configuration and stanza, running one of pgfleet's own commands, with no Java process (a live
     * worker) among its ancestors. SIGTERM (pgBackRest then ends and frees its locks), SIGKILL after 30 s.
     *
     * @return how many were stopped
     */
    public int stopLeftovers() {
        List<ProcessHandle> leftovers = Processes.matching(argv -> argv.stream().anyMatch(a -> Processes.programName(a).equals("pgbackrest")
                || a.equals(program)) && (argv.contains("--config=" + configFile) || argv.contains("--config=" + staged))
                && argv.contains("--stanza=" + stanza)
                && argv.stream().anyMatch(a -> OWN_COMMANDS.contains(a.contains(":") ? a.substring(0, a.indexOf(':')) : a)))
                .stream().filter(PgBackRest::orphaned).toList();
        Processes.stopAll(leftovers, Duration.ofSeconds(30));
        return leftovers.size();
    }

    /** No Java process among its ancestors: nobody waits for it any more. */
    static boolean orphaned(ProcessHandle process) {
        Optional<ProcessHandle> parent = process.parent();
        while (parent.isPresent()) {
            List<String> argv = Processes.commandLine(parent.get().pid());
            if (!argv.isEmpty() && Processes.programName(argv.get(0)).equals("java")) {
                return false;
            }
            if (parent.get().pid() == 1) {
                return true;
            }
            parent = parent.get().parent();
        }
        return true;
    }

    /** Takes a base backup ({@code full}, {@code diff} or {@code incr}). */
    public void backup(String type, String superuserPassword) {
        check(run(List.of("backup", "--type=" + type), superuserPassword), "backup");
    }

    /**
     * Expires these base backups ({@code expire --set}, oldest first; one already gone is skipped, so a killed
     * predecessor's half-done expiry is finished, not failed), then the WAL older than the oldest base backup left
     * ({@code expire} keeping archive for as many full backups as remain: the configuration keeps every backup).
     */
    public void expire(List<ArchiveInfo.BaseBackup> backups) {
        Set<String> present = new HashSet<>(info().backups().stream().map(ArchiveInfo.BaseBackup::label).toList());
        for (ArchiveInfo.BaseBackup backup : backups) {
            if (present.contains(backup.label())) {
                check(run(List.of("expire", "--set=" + backup.label()), null), "expire");
            }
        }
        int kept = info().backups().size();
        if (kept > 0) {
            check(run(List.of("expire", "--repo1-retention-archive-type=full", "--repo1-retention-archive=" + kept), null), "expire");
        }
    }

    /** Takes the repository over for data whose system identifier changed (restored from another instance). */
    public void stanzaUpgrade(String superuserPassword) {
        check(run(List.of("stanza-upgrade"), superuserPassword), "stanza-upgrade");
    }

    public ArchiveInfo info() {
        CommandResult result = run(List.of("info", "--output=json"), null);
        check(result, "info");
        return ArchiveInfo.parse(result.output().substring(Math.max(0, result.output().indexOf('['))));
    }

    /**
     * Restores the stopped member's data to {@code target} (a delta restore: only files that differ are copied), to be
     * promoted when recovery reaches it.
     */
    public void restoreToTime(Instant target) {
        restoreToTime(target, null, "promote");
    }

    /**
     * Restores into {@code dataDir} (null: {@code pg1-path}), replaying WAL up to {@code target} and then doing
     * {@code action} ({@code promote} or {@code pause}).
     */
    public void restoreToTime(Instant target, Path dataDir, String action) {
        List<String> command = new ArrayList<>(List.of("restore", "--delta", "--type=time", "--target=" + TARGET.format(target),
                "--target-action=" + action));
        if (dataDir != null) {
            // Only pg1 is restored into; the other members are copied again from it.
            command.add(0, "--pg1-path=" + dataDir);
        }
        check(run(command, null), "restore");
    }

    private CommandResult run(List<String> command, String superuserPassword) {
        List<String> argv = new ArrayList<>(List.of(program, "--config=" + active(), "--stanza=" + stanza, "--log-level-console=warn"));
        argv.addAll(command);
        return ProcessRunner.run(account.command(argv), superuserPassword == null ? TenantSession.LIBPQ_ENVIRONMENT
                        : Map.of("PGPASSWORD", superuserPassword, "PGOPTIONS", TenantSession.OPTIONS),
                Path.of("/"), timeout);
    }

    /** pgBackRest's own words when it failed: its {@code ERROR:} lines. */
    private static void check(CommandResult result, String what) {
        if (result.ok()) {
            return;
        }
        List<String> errors = result.output().lines().map(String::strip).filter(l -> l.startsWith("ERROR:") || l.startsWith("HINT:")).toList();
        throw new IllegalStateException("pgbackrest " + what + " failed: " + (errors.isEmpty() ? result.tail(5) : String.join(" ", errors)));
    }
}
