package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The table of attacks in docs/security.md names tests that exist: each row's {@code Class.method} is a test method in a
 * test source file of that class (a test renamed or removed takes its row's claim with it, and this fails).
 */
class SecurityAttacksTableTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();
    private static final Pattern ROW = Pattern.compile("(?m)^\\| (\\d+) \\|[^|]*\\| `(\\w+)\\.(\\w+)` \\|");

    @Test
    void everyAttackOfTheSecurityPageNamesATestThatExists() throws IOException {
        Map<String, Path> tests;
        try (Stream<Path> files = Files.walk(HOME)) {
            tests = files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))
                    .collect(Collectors.toMap(p -> p.getFileName().toString().replace(".java", ""), p -> p, (a, b) -> a));
        }
        Matcher row = ROW.matcher(Files.readString(HOME.resolve("docs/security.md")));
        List<String> missing = new ArrayList<>();
        int rows = 0;
        while (row.find()) {
            rows++;
            Path file = tests.get(row.group(2));
            if (file == null || !Pattern.compile("void " + row.group(3) + "\\(").matcher(Files.readString(file)).find()) {
                missing.add(row.group(1) + ": " + row.group(2) + "." + row.group(3));
            }
        }
        assertThat(rows).as("attacks in the table").isGreaterThanOrEqualTo(40);
        assertThat(missing).as("rows naming no test").isEmpty();
    }
}
