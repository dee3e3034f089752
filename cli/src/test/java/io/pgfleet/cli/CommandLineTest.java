package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.examples.ReferenceExamples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without any server: help, refusals, examples. */
class CommandLineTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("up", "demo", "apply", "scale", "switchover", "add-user", "add-extension", "backup", "restore", "verify", "status", "events",
                "connect", "delete", "list", "backups", "generate-completion")) {
            Run help = run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: pgfleet " + command);
        }
        assertThat(run("--help").out()).contains("apply", "restore", "verify", "events", "list", "backups");
    }

    @Test
    void completionCoversEveryCommandAndItsOptions() {
        Run completion = run("generate-completion");
        assertThat(completion.code()).isZero();
        assertThat(completion.out()).contains("complete -F _complete_pgfleet", "list", "backups", "--output", "--since", "--command");
    }

    @Test
    void asRootADataDirectoryPostgresCannotReachIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.pgfleet.host.OsUser.isRoot(), "only root hands PostgreSQL to nobody");
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = java.nio.file.Files.createDirectories(dir.resolve("root"));
        java.nio.file.Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalStack.requireReachable(home.resolve(".pgfleet")))
                .hasMessageContaining(home + " does not let other accounts through (mode rwx------)").hasMessageContaining("/var/lib/pgfleet");
        java.nio.file.Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        LocalStack.requireReachable(home.resolve(".pgfleet"));
    }

    @Test
    void anUnknownOutputFormatIsRefusedWithTheChoices() {
        Run list = run("list", "-o", "xml");
        assertThat(list.code()).as("a usage error").isEqualTo(64);
        assertThat(list.err()).contains("-o", "xml", "table, wide, json, yaml");
    }

    @Test
    void aDocumentThatDoesNotParseIsRefusedWithEveryErrorAndNothingIsPublished(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: broken
                spec:
                  replicas: many
                  colour: blue
                """);
        // No Kafka listens on port 1: a refusal before publishing never gets that far.
        Run run = run("apply", "-f", bad.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("nothing was published", "spec.replicas", "spec.colour");
    }

    @Test
    void errorsAreOneLineWithoutAStackTrace() {
        Run missing = run("apply", "-f", "/no/such/file.yaml");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err().strip()).isEqualTo("pgfleet: no such file: /no/such/file.yaml");

        Run unknown = run("scale", "pg", "--replicas", "three");
        assertThat(unknown.code()).as("a usage error").isEqualTo(64);
        assertThat(unknown.err()).contains("see: pgfleet scale --help");
        assertThat(unknown.err()).contains("--replicas").doesNotContain("at io.pgfleet");

        Run noStatus = run("status", "pg", "--provisioner-url", "http://127.0.0.1:1", "--user-manager-url", "http://127.0.0.1:1",
                "--backup-worker-url", "http://127.0.0.1:1");
        assertThat(noStatus.code()).as("a service unreachable").isEqualTo(69);
        assertThat(noStatus.err().strip()).startsWith("pgfleet: no answer from http://127.0.0.1:1").doesNotContain("\n");
    }

    @Test
    void aKafkaThatCannotBeReachedEndsWithItsOwnExitCode() {
        // Nothing listens on port 1: the producer gives up after its bound (15 s).
        Run run = run("delete", "pg", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.code()).as(run.err()).isEqualTo(69);
        assertThat(run.err().strip()).startsWith("pgfleet: Kafka at 127.0.0.1:1").doesNotContain("\n");
    }

    @Test
    void everyReferenceExampleReadFromStdinAsOneStreamPassesTheDryRunAndNothingIsPublished() throws Exception {
        List<ReferenceExamples.Block> examples = ReferenceExamples.documents();
        String stream = String.join("---\n", examples.stream().map(ReferenceExamples.Block::text).toList());
        java.io.InputStream stdin = System.in;
        Run run;
        try {
            System.setIn(new java.io.ByteArrayInputStream(stream.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            // No Kafka listens on port 1: a dry run never gets that far.
            run = run("apply", "-f", "-", "--dry-run", "--bootstrap-servers", "127.0.0.1:1");
        } finally {
            System.setIn(stdin);
        }
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().filter(l -> l.endsWith(": valid (dry run, nothing published)")).count()).isEqualTo(examples.size());
    }

    @Test
    void aDryRunRefusesWhatTheServicesWouldAndOneBadDocumentKeepsEveryOtherFromBeingPublished(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("two.yaml");
        Files.writeString(file, """
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: fine
                spec:
                  replicas: 1
                ---
                apiVersion: apps.cozystack.io/v1alpha1
                kind: Postgres
                metadata:
                  name: Bad_Name
                spec:
                  replicas: 99
                """);
        Run dry = run("apply", "-f", file.toString(), "--dry-run", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(dry.code()).isEqualTo(2);
        assertThat(dry.err()).contains(file + ", document 2 of 2 is not a valid Postgres document", "metadata.name", "spec.replicas")
                .doesNotContain("document 1 of 2");
        // Without --dry-run the rules are the services' to apply; a document that does not even parse keeps every other of
        // the file from being published:
        Files.writeString(file, Files.readString(file).replace("replicas: 99", "replicas: many"));
        Run apply = run("apply", "-f", file.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(apply.code()).isEqualTo(2);
        assertThat(apply.err()).contains("document 2 of 2", "spec.replicas", "nothing was published");
    }

    @Test
    void theExamplesDirectoryHoldsTheReferenceExamplesUnchanged() throws Exception {
        Path home = Path.of(System.getProperty("pgfleet.home", ".."));
        for (ReferenceExamples.Block block : ReferenceExamples.documents()) {
            String name = block.text().lines().filter(l -> l.startsWith("  name: ")).findFirst().orElseThrow().substring(8).strip();
            assertThat(Files.readString(home.resolve("examples").resolve(name + ".yaml"))).as(name).isEqualTo(block.text());
        }
    }
}
