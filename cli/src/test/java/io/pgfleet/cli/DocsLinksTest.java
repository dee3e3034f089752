package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link of the README and the docs leads to a file that exists (a page moved or renamed breaks none). */
class DocsLinksTest {

    private static final Path HOME = Path.of(System.getProperty("pgfleet.home", "..")).toAbsolutePath().normalize();
    /** {@code [text](target)}, the target up to a space, a closing parenthesis or a fragment. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]*)(#[^)\\s]*)?\\)");

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsLeadsToAFile() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(HOME.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(HOME.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> dead = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            Matcher link = LINK.matcher(Files.readString(page));
            while (link.find()) {
                String target = link.group(1);
                if (target.isEmpty() || target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue;   // a fragment of the same page, or an address (https:, mailto:)
                }
                checked++;
                if (!Files.exists(page.getParent().resolve(target).normalize())) {
                    dead.add(HOME.relativize(page) + " → " + target);
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(20);
        assertThat(dead).as("links to files that do not exist").isEmpty();
    }
}
