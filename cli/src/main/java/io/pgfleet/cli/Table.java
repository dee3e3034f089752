package io.pgfleet.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Rows printed as aligned columns, as {@code kubectl get} prints them: an upper-case header, two spaces between
 * columns, {@code -} for nothing. Wide columns are printed only with {@code -o wide}.
 */
final class Table<T> {

    private record Column<T>(String header, Function<T, Object> value, boolean wide) {
    }

    private final List<Column<T>> columns = new ArrayList<>();

    Table<T> column(String header, Function<T, Object> value) {
        columns.add(new Column<>(header, value, false));
        return this;
    }

    Table<T> wideColumn(String header, Function<T, Object> value) {
        columns.add(new Column<>(header, value, true));
        return this;
    }

    /** The lines: header first, then one per row. */
    List<String> lines(List<T> rows, boolean wide) {
        List<Column<T>> shown = columns.stream().filter(c -> wide || !c.wide()).toList();
        List<List<String>> cells = new ArrayList<>();
        cells.add(shown.stream().map(Column::header).toList());
        for (T row : rows) {
            cells.add(shown.stream().map(c -> text(c.value().apply(row))).toList());
        }
        int[] widths = new int[shown.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                text.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + widths[i] + "s  ", line.get(i)));
            }
            lines.add(text.toString().stripTrailing());
        }
        return lines;
    }

    void print(PrintWriter out, List<T> rows, boolean wide) {
        lines(rows, wide).forEach(out::println);
    }

    private static String text(Object value) {
        String text = value == null ? "" : value.toString();
        return text.isBlank() ? "-" : text.replace('\n', ' ');
    }
}
