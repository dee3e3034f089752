package io.pgfleet.events.validation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.Collections;

/**
 * PostgreSQL's own catalogue of settings, as {@code postgres --describe-config} of PostgreSQL 15
 * prints it (name, context, category, type), kept as a resource so that every service and the
 * CLI decide the same way; {@code SettingsCatalogueTest} checks it against the installed server.
 */
public final class SettingsCatalogue {

    /** The major version the catalogue was read from. */
    public static final int MAJOR = 15;

    /**
     * Settings that make the server load code, read files or run programs named in a document: a
     * tenant must not choose them ({@code include*} are configuration-file directives, not settings).
     */
    private static final Set<String> UNSAFE = Set.of("session_preload_libraries", "local_preload_libraries", "dynamic_library_path",
            "jit_provider", "krb_server_keyfile", "include", "include_dir", "include_if_exists");

    /** One setting: its name, when it takes effect (postmaster, sighup, superuser, user …), its category and type. */
    public record Setting(String name, String context, String category, String type) {
    }

    private static final Map<String, Setting> SETTINGS = load();

    private SettingsCatalogue() {
    }

    /** The setting of that name, when PostgreSQL has one. */
    public static Optional<Setting> find(String name) {
        return Optional.ofNullable(SETTINGS.get(name));
    }

    /** Every setting, by name. */
    public static Map<String, Setting> all() {
        return SETTINGS;
    }

    /** Whether the setting loads code, reads a file or runs a program (refused in documents). */
    public static boolean isUnsafe(String name) {
        return UNSAFE.contains(name);
    }

    /** The real setting whose name is closest to a misspelt one, when one is close enough to be meant. */
    public static Optional<String> nearest(String name) {
        return SETTINGS.keySet().stream()
                .map(candidate -> Map.entry(candidate, distance(name, candidate)))
                .filter(e -> e.getValue() <= Math.max(2, name.length() / 4))
                .min(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Map<String, Setting> load() {
        String resource = "postgresql-" + MAJOR + "-settings.tsv";
        Map<String, Setting> settings = new TreeMap<>();
        try (InputStream in = SettingsCatalogue.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + resource + " is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split("\t", -1);
                if (fields.length >= 4) {
                    settings.put(fields[0], new Setting(fields[0], fields[1], fields[2], fields[3]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(settings);
    }
}
