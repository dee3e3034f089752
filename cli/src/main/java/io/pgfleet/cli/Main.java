package io.pgfleet.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import java.io.PrintWriter;

/** The {@code pgfleet} command. */
@Command(name = "pgfleet", mixinStandardHelpOptions = true, version = "pgfleet 0.1.0",
        description = "Run PostgreSQL for many tenants: a local stack, commands published to Kafka, their status followed.",
        subcommands = {UpCli.class, DemoCli.class, ApplyCli.class, ScaleCli.class, SwitchoverCli.class, AddUserCli.class, AddExtensionCli.class,
                BackupCli.class, RestoreCli.class, VerifyCli.class, DeleteCli.class, StatusCli.class, ListCli.class, BackupsCli.class, EventsCli.class,
                ConnectCli.class, SealCli.class, CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; errors are one clear line on stderr, never a stack trace. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** The same, writing to these. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("pgfleet: " + message(e));
            return unreachable(e) ? Outcome.UNREACHABLE : Outcome.FAILED;
        });
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter errors = e.getCommandLine().getErr();
            errors.println("pgfleet: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, errors);
            errors.println("see: pgfleet " + String.join(" ", e.getCommandLine().getCommandSpec().qualifiedName(" ")
                    .replaceFirst("^pgfleet ?", "")) + " --help");
            return Outcome.USAGE;
        });
        return commandLine.execute(args);
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof Unreachable) {
                return true;
            }
        }
        return false;
    }

    private static String message(Throwable e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
