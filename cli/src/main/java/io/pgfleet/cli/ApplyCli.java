package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.events.validation.CommandValidator;
import io.pgfleet.events.validation.ValidationPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Publishes a provision command from each Postgres document of a file or stdin. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Publish a provision command from each Postgres document (YAML or JSON, as in the API reference) of a file, "
                + "or of stdin with -f -; documents are separated by ---.")
final class ApplyCli extends Publishing implements Callable<Integer> {

    @Option(names = {"-f", "--file"}, required = true, description = "The Postgres document(s): a file, or - for stdin.")
    String file;

    @Option(names = "--dry-run", description = "Check the documents with the services' rules at their default settings (limits, "
            + "extensions, S3 endpoints: a fleet's own settings may refuse more) and publish nothing.")
    boolean dryRun;

    /** Where {@code -f -} reads from (the process's stdin; a test's stream). */
    InputStream stdin = System.in;

    @Override
    public Integer call() throws IOException {
        String text;
        try {
            text = file.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        String source = file.equals("-") ? "stdin" : file;
        List<String> documents = documents(text);
        if (documents.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no document");
        }
        PrintWriter err = spec.commandLine().getErr();
        CommandValidator rules = new CommandValidator(new ValidationPolicy(ValidationPolicy.DEFAULT_EXTENSIONS,
                ValidationPolicy.Limits.DEFAULTS, true));
        List<Postgres> docs = new ArrayList<>();
        boolean refused = false;
        for (int i = 0; i < documents.size(); i++) {
            String which = documents.size() == 1 ? source : source + ", document " + (i + 1) + " of " + documents.size();
            Parsed<Postgres> parsed = PayloadReader.fromText(documents.get(i), Postgres.class);
            List<FieldError> errors = parsed.isOk() ? (dryRun ? rules.validate(parsed.value()) : List.of()) : parsed.errors();
            if (!errors.isEmpty()) {
                refused = true;
                err.println(which + " is not a valid Postgres document; nothing was published:");
                for (FieldError error : errors) {
                    err.println("  " + (error.path().isEmpty() ? "(document)" : error.path()) + ": " + error.message());
                }
            } else {
                docs.add(parsed.value());
            }
        }
        err.flush();
        if (refused) {
            return Outcome.REJECTED;
        }
        PrintWriter out = spec.commandLine().getOut();
        int worst = Outcome.OK;
        for (Postgres doc : docs) {
            String namespace = doc.metadata().namespace() == null ? kafka.namespace : doc.metadata().namespace();
            if (dryRun) {
                out.println(namespace + "/" + doc.metadata().name() + ": valid (dry run, nothing published)");
                continue;
            }
            int code = publish(CommandType.PROVISION, kafka.instance(namespace + "/" + doc.metadata().name()), doc);
            worst = worst == Outcome.OK ? code : worst;
        }
        out.flush();
        return worst;
    }

    /** The YAML documents of a text, split at lines holding only {@code ---}; empty ones left out. */
    static List<String> documents(String text) {
        return Arrays.stream(text.split("(?m)^---[ \\t]*$")).filter(document -> !document.isBlank()).toList();
    }
}
