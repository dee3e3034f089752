package io.pgfleet.events.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of the API reference ({@code docs/postgres-api-reference.md}, on the test class path as
 * {@code reference/postgres-api-reference.md}; a copy of
 * {@code shared/seed/postgres-api-reference.md}): the four complete documents and the section
 * snippets, each made into a whole document.
 */
public final class ReferenceExamples {

    /** A code block of the reference. */
    public record Block(String heading, String text) {
        /** Whether it is a whole Postgres document. */
        public boolean isDocument() {
            return text.startsWith("apiVersion:");
        }

        /** Whether it is YAML for a part of the spec (users:, databases:, backup:, postgresql:, quorum:). */
        public boolean isSection() {
            return !isDocument() && text.matches("(?s)(users|databases|backup|postgresql|quorum):.*");
        }
    }

    private static final Pattern BLOCK = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern HEADING = Pattern.compile("(?m)^#{2,4} (.+)$");

    private ReferenceExamples() {
    }

    /** The reference page. */
    public static String reference() {
        try (InputStream in = ReferenceExamples.class.getResourceAsStream("/reference/postgres-api-reference.md")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every code block, with the heading it stands under. */
    public static List<Block> blocks() {
        String page = reference();
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(page);
        while (m.find()) {
            String before = page.substring(0, m.start());
            Matcher h = HEADING.matcher(before);
            String heading = "";
            while (h.find()) {
                heading = h.group(1).trim();
            }
            blocks.add(new Block(heading, m.group(2)));
        }
        return blocks;
    }

    /** The complete documents: minimal, complete, high availability, development. */
    public static List<Block> documents() {
        return blocks().stream().filter(Block::isDocument).toList();
    }

    /** The YAML blocks of the sections, for parts of the spec. */
    public static List<Block> sections() {
        return blocks().stream().filter(Block::isSection).toList();
    }

    /**
     * A section block made into a whole document named {@code name}. Users named in role lists are
     * declared (as a real document would), and a quorum gets enough replicas to be meaningful.
     */
    public static String asDocument(Block section, String name) {
        try {
            ObjectNode spec = (ObjectNode) Json.yamlMapper().readTree(section.text());
            JsonNode databases = spec.get("databases");
            if (databases != null && !spec.has("users")) {
                ObjectNode users = spec.putObject("users");
                databases.findValues("roles").forEach(roles -> roles.forEach(members -> members.forEach(
                        member -> users.putObject(member.asText()))));
            }
            if (spec.has("quorum")) {
                spec.put("replicas", spec.get("quorum").path("maxSyncReplicas").asInt() + 1);
            }
            ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("apiVersion", "apps.cozystack.io/v1alpha1").put("kind", "Postgres");
            doc.putObject("metadata").put("name", name);
            doc.set("spec", spec);
            return Json.yamlMapper().writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
