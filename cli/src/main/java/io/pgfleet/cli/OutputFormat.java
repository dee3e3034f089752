package io.pgfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgfleet.events.json.Json;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -o table|wide|json|yaml} of the views: columns for people, the rows' every field for programs. */
final class OutputFormat {

    enum Format { table, wide, json, yaml }

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default), wide (more columns), json or yaml (every field of every row).")
    Format format;

    /** Prints the rows in the chosen format. */
    <T> void print(PrintWriter out, Table<T> table, List<T> rows) throws JsonProcessingException {
        switch (format) {
            case table -> table.print(out, rows, false);
            case wide -> table.print(out, rows, true);
            case json -> out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            case yaml -> out.print(Json.yamlMapper().writeValueAsString(rows));
        }
        out.flush();
    }
}
