package io.pgfleet.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/configuration.md, made from the main code: every {@code pgfleet.*} key a service reads ({@code @Value("${key:default}")},
 * {@code @Property(name = "key")}, {@code @Requires(property = "key")}), its default as the code gives it, the modules that
 * read it, and what it does: the text of a doc comment that introduces it as {@code {@code key}: text} or
 * {@code {@code key} (default …): text}, else the first sentence of one that names it. A key no doc comment names is
 * undocumented.
 */
final class ConfigurationReference {

    private static final Pattern VALUE = Pattern.compile("\\$\\{(pgfleet\\.[a-z0-9.-]+)(?::((?:[^}\"]|\"\\s*\\+[^+]*\\+\\s*\")*))?}");
    /** Keys named to Micronaut: {@code @Property(name = …)}, {@code @Requires(property = …)}, {@code environment.getProperty(…)}. */
    private static final Pattern NAMED = Pattern.compile("(?:(?:@Property\\(name|@Requires\\(property)\\s*=\\s*|environment\\.getPropert(?:y|ies)\\()"
            + "\"(pgfleet\\.[a-z0-9.-]+)\"");
    /** {@code {@code key}}, an optional parenthesis, a colon, then the text to the end of its sentence or list item. */
    private static final Pattern INTRODUCED = Pattern.compile("\\{@code (pgfleet\\.[a-z0-9.-]+)} ?((?:\\((?:[^()]|\\([^()]*\\))*\\))?): (.+?)"
            + "(?:\\.(?=\\s+[A-Z{(@])|;(?=\\s*\\{@code pgfleet)|;?</li>|\\s+@\\w+\\s|\\.?\\s*$)", Pattern.DOTALL);
    private static final Pattern SENTENCE = Pattern.compile("(?<=\\.)\\s+(?=[A-Z{(<@])|</li>\\s*<li>|<ul>|</ul>|\\s+(?=@(?:param|return|throws)\\s)");
    private static final Pattern MENTIONED = Pattern.compile("\\{@code (pgfleet\\.[a-z0-9.-]+)}");
    private static final Pattern COMMENT = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

    /** A key: its default per module (blank: none), and what it does ({@code null}: nothing says). */
    record Key(String name, Map<String, String> defaults, String description) {
    }

    private ConfigurationReference() {
    }

    static List<Key> keys(List<Path> sources) {
        Map<String, Map<String, String>> defaults = new TreeMap<>();
        Map<String, String> descriptions = new TreeMap<>();
        Map<String, String> shortDescriptions = new TreeMap<>();   // the same without a default the code gives
        Map<String, String> mentions = new TreeMap<>();   // else: the first sentence that names it
        for (Path file : sources) {
            String text = read(file);
            String module = file.toAbsolutePath().normalize().toString().replaceFirst(".*/([^/]+)/src/main/java/.*", "$1");
            Matcher value = VALUE.matcher(text);
            while (value.find()) {
                String given = value.group(2) == null ? "" : value.group(2).replaceAll("\"\\s*\\+\\s*(\\w+)\\.DEFAULT_TOPIC\\s*\\+\\s*\"", "<$1 topic>");
                defaults.computeIfAbsent(value.group(1), k -> new TreeMap<>()).merge(module, given, (a, b) -> a.isEmpty() ? b : a);
            }
            Matcher named = NAMED.matcher(text);
            while (named.find()) {
                if (named.group(1).endsWith(".")) {
                    continue;   // a prefix the code completes (pgfleet.topics. + a command type): its keys are named elsewhere
                }
                defaults.computeIfAbsent(named.group(1), k -> new TreeMap<>()).putIfAbsent(module, "");
            }
            Matcher comment = COMMENT.matcher(text);
            while (comment.find()) {
                String plain = comment.group(1).replaceAll("(?m)^\\s*\\*\\s?", "").replaceAll("\\s+", " ").strip();
                Matcher introduced = INTRODUCED.matcher(plain);
                while (introduced.find()) {
                    // What the parenthesis says besides a default (which the table shows when the code gives it), then the text.
                    String aside = introduced.group(2);
                    String said = introduced.group(3).strip();
                    descriptions.putIfAbsent(introduced.group(1), capitalized(aside.isEmpty() ? said : said + " " + aside));
                    String besides = aside.replaceAll("^\\((?:default:? )?[^,:;()]*\\)$", "");
                    shortDescriptions.putIfAbsent(introduced.group(1), capitalized(besides.isEmpty() ? said : said + " " + besides));
                }
                for (String sentence : SENTENCE.split(plain)) {
                    Matcher mentioned = MENTIONED.matcher(sentence);
                    while (mentioned.find()) {
                        mentions.putIfAbsent(mentioned.group(1), capitalized(sentence.replaceAll("^(<li>)+|(</li>|</?ul>)+$", "")
                                .replaceAll("^@param \\w+ ", "").replaceAll("^Config: ", "").strip()));
                    }
                }
            }
        }
        List<Key> keys = new ArrayList<>();
        defaults.forEach((name, byModule) -> {
            boolean defaulted = byModule.values().stream().anyMatch(given -> !given.isEmpty());
            String description = (defaulted ? shortDescriptions : descriptions).getOrDefault(name, mentions.get(name));
            keys.add(new Key(name, byModule, description));
        });
        return keys;
    }

    static String render(List<Key> keys) {
        StringBuilder page = new StringBuilder("""
                # Configuration reference

                Generated from the code by `ConfigurationReferenceTest` (architecture module): every `pgfleet.*` key a service
                reads, its default as the code gives it, the modules that read it (`runtime` and `clusters`: every service that
                uses them), and the doc comment that introduces it.
                Do not edit: change the comment beside the code and run
                `mvn -pl architecture test -Dtest=ConfigurationReferenceTest -Dpgfleet.regenerate=true`.

                Each key is a Micronaut property: set it in `application.yml`, as a system property (`-Dpgfleet.jobs.workers=8`)
                or as an environment variable (`PGFLEET_JOBS_WORKERS=8`); the Helm chart sets the ones its values name
                ([helm/pgfleet/README.md](../helm/pgfleet/README.md)). Micronaut's own keys (`kafka.*`, `datasources.*`,
                `micronaut.*`) are in [deploy.md](deploy.md).

                | Key | Default | Read by | What it does |
                |---|---|---|---|
                """);
        for (Key key : keys) {
            // A module that reads the key without a default (a listener's annotation) leaves it to one that gives it.
            TreeSet<String> values = new TreeSet<>(key.defaults().values());
            values.remove("");
            String defaults = values.size() <= 1 ? cell(values.isEmpty() ? "" : values.first())
                    : String.join("<br>", key.defaults().entrySet().stream().filter(e -> !e.getValue().isEmpty())
                            .map(e -> e.getKey() + ": " + cell(e.getValue())).toList());
            page.append("| `").append(key.name()).append("` | ").append(defaults).append(" | ")
                    .append(String.join(", ", key.defaults().keySet())).append(" | ").append(markdown(key.description())).append(" |\n");
        }
        return page.toString();
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String cell(String value) {
        return value.isEmpty() ? "—" : "`" + value.replace("`", "") + "`";
    }

    /** A doc comment's sentence as Markdown: {@code {@code x}} as code, tags dropped, pipes escaped. */
    private static String markdown(String javadoc) {
        if (javadoc == null) {
            return "(undocumented)";
        }
        return javadoc.replaceAll("\\{@(?:code|literal) ([^{}]*(?:\\{[^{}]*}[^{}]*)*)}", "`$1`")
                .replaceAll("\\{@link(?:plain)? (?:[\\w.]*#)?([^{} ]+)[^{}]*}", "`$1`")
                .replaceAll("</?(?:li|ul|p|em|b|i)>", "").replace("|", "\\|").strip();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
