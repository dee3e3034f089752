package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import org.junit.jupiter.api.Test;

/**
 * docs/cli-reference.md is every command's {@code --help}, made from the command line's own model (picocli), so it is
 * never kept by hand. Stale: regenerate with {@code mvn -pl cli test -Dtest=CliReferenceTest -Dpgfleet.regenerate=true}
 * and commit it.
 */
class CliReferenceTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();
    private static final Path PAGE = HOME.resolve("docs/cli-reference.md");

    static String render() {
        CommandLine root = new CommandLine(new Main());
        StringBuilder page = new StringBuilder("""
                # `pgfleet` command reference

                Every command's `--help`, generated from the command line itself by `CliReferenceTest`; do not edit (regenerate with
                `mvn -pl cli test -Dtest=CliReferenceTest -Dpgfleet.regenerate=true`). How to use them together, the exit codes and
                the environment variables: [cli.md](cli.md).

                """);
        page.append("- [`pgfleet`](#pgfleet)\n");
        root.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {
                page.append("- [`pgfleet ").append(name).append("`](#pgfleet-").append(name).append(")\n");
            }
        });
        section(page, "pgfleet", root);
        root.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {   // aliases (ls) once, under the command's name
                section(page, "pgfleet " + name, sub);
            }
        });
        return page.toString();
    }

    private static void section(StringBuilder page, String title, CommandLine command) {
        command.setUsageHelpWidth(120);
        // Defaults as a reader's machine shows them: the home directory as ~.
        String help = command.getUsageMessage(Ansi.OFF).replace(System.getProperty("user.home") + "/", "~/").lines()
                .map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("");
        page.append("\n## ").append(title).append("\n\n```text\n").append(help).append("\n```\n");
    }

    @Test
    void theCommittedReferenceIsEveryCommandsHelp() throws IOException {
        assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("PGFLEET_")),
                "the help shows the PGFLEET_* variables' values as defaults; run without them to compare");
        String expected = render();
        assertThat(expected).contains("## pgfleet apply", "--dry-run", "## pgfleet list", "--from-topic");
        if (Boolean.getBoolean("pgfleet.regenerate")) {
            Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
                .as(PAGE + " is stale; regenerate with mvn -pl cli test -Dtest=CliReferenceTest -Dpgfleet.regenerate=true")
                .isEqualTo(expected);
    }
}
