package io.pgfleet.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules on the source text that compiled classes no longer show. */
class SourceRulesTest {

    /** A package (lower-case segments) and a type (upper-case first letter): {@code java.util.List}, {@code io.pgfleet.x.Y}. */
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.\"])((?:java|javax|jakarta|io|org|com)\\.(?:[a-z_][a-z0-9_]*\\.)+)([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("^import (?!static )([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);
    private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");

    static List<Path> mainSources() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (Stream<Path> modules = Files.list(root)) {
            List<Path> sources = new ArrayList<>();
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
                }
            }
            return sources;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Types are imported, not named inline with their package: an import says at the top what a class works with, and a
     * line says what it does. A qualified name stays only where the simple name is already taken in that file (imported
     * for another type, or declared in it): two {@code TimeoutException}s, two {@code Logger}s.
     */
    @Test
    void noInlineQualifiedTypeNamesInMainCode() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> sources = mainSources();
        assertThat(sources).as("main sources found from " + Path.of("..").toAbsolutePath()).hasSizeGreaterThan(100);
        for (Path file : sources) {
            String text = Files.readString(file);
            Set<String> taken = new HashSet<>();
            Matcher imports = IMPORT.matcher(text);
            while (imports.find()) {
                taken.add(imports.group(2));
            }
            Matcher declared = DECLARED.matcher(text);
            while (declared.find()) {
                taken.add(declared.group(1));
            }
            String code = codeOnly(text);
            String[] lines = code.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].startsWith("import ") || lines[i].startsWith("package ")) {
                    continue;
                }
                Matcher qualified = QUALIFIED.matcher(lines[i]);
                while (qualified.find()) {
                    if (!taken.contains(qualified.group(2))) {
                        found.add(file.getFileName() + ":" + (i + 1) + ": " + qualified.group());
                    }
                }
            }
        }
        assertThat(found).as("inline qualified type names (import them)").isEmpty();
    }

    /** The text with comments, strings and character literals blanked (line breaks kept, so line numbers hold). */
    static String codeOnly(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                end = end < 0 ? text.length() : end;
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2);
                end = end < 0 ? text.length() : end + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = text.indexOf("\"\"\"", i + 3);
                end = end < 0 ? text.length() : end + 3;
            } else if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
                char quote = text.charAt(i);
                end = i + 1;
                while (end < text.length() && text.charAt(end) != quote) {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(text.length(), end + 1);
            } else {
                out.append(text.charAt(i++));
                continue;
            }
            for (int j = i; j < end; j++) {
                out.append(text.charAt(j) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }
}
