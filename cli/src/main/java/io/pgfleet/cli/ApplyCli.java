package io.pgfleet.cli;

import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.status.FieldError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Publishes a provision command from a Postgres document. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Publish a provision command from a Postgres document (YAML or JSON, as in the API reference).")
final class ApplyCli extends Publishing implements Callable<Integer> {

    @Option(names = {"-f", "--file"}, required = true, description = "The Postgres document.")
    Path file;

    @Override
    public Integer call() throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        Parsed<Postgres> parsed = PayloadReader.fromText(text, Postgres.class);
        if (!parsed.isOk()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(file + " is not a valid Postgres document; nothing was published:");
            for (FieldError error : parsed.errors()) {
                err.println("  " + (error.path().isEmpty() ? "(document)" : error.path()) + ": " + error.message());
            }
            err.flush();
            return Outcome.REJECTED;
        }
        Postgres doc = parsed.value();
        String namespace = doc.metadata().namespace() == null ? kafka.namespace : doc.metadata().namespace();
        return publish(CommandType.PROVISION, kafka.instance(namespace + "/" + doc.metadata().name()), doc);
    }
}
