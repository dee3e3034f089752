package io.pgfleet.backup.wal;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What {@code pgbackrest info --output=json} says of one stanza: its base backups (oldest first) and the WAL archived.
 *
 * @param backups the base backups, oldest first
 * @param walMin  the oldest archived WAL segment, when any
 * @param walMax  the newest archived WAL segment, when any
 * @param status  pgBackRest's status message ({@code ok} when the stanza is sound)
 */
public record ArchiveInfo(List<BaseBackup> backups, String walMin, String walMax, String status) {

    /**
     * One base backup.
     *
     * @param label          pgBackRest's label, e.g. {@code 20261130-174240F}
     * @param type           {@code full}, {@code diff} or {@code incr}
     * @param start          when it started
     * @param stop           when it ended: the earliest time it can be restored to
     * @param size           bytes of the database it copied
     * @param repositorySize bytes it takes in the repository (compressed, encrypted)
     * @param walStart       its first WAL segment
     * @param walStop        its last WAL segment
     */
    public record BaseBackup(String label, String type, Instant start, Instant stop, long size, long repositorySize, String walStart,
                             String walStop) {
    }

    /** Reads the JSON of {@code info --output=json} for one stanza. */
    public static ArchiveInfo parse(String json) {
        JsonNode stanzas = Json.read(json, JsonNode.class);
        JsonNode stanza = stanzas.isArray() && stanzas.size() > 0 ? stanzas.get(0) : Json.mapper().createObjectNode();
        List<BaseBackup> backups = new ArrayList<>();
        for (JsonNode backup : stanza.path("backup")) {
            backups.add(new BaseBackup(backup.path("label").asText(), backup.path("type").asText(),
                    Instant.ofEpochSecond(backup.path("timestamp").path("start").asLong()),
                    Instant.ofEpochSecond(backup.path("timestamp").path("stop").asLong()), backup.path("info").path("size").asLong(),
                    backup.path("info").path("repository").path("size").asLong(), backup.path("archive").path("start").asText(null),
                    backup.path("archive").path("stop").asText(null)));
        }
        backups.sort(Comparator.comparing(BaseBackup::stop));
        String min = null;
        String max = null;
        for (JsonNode archive : stanza.path("archive")) {
            String low = archive.path("min").asText(null);
            String high = archive.path("max").asText(null);
            min = low != null && (min == null || low.compareTo(min) < 0) ? low : min;
            max = high != null && (max == null || high.compareTo(max) > 0) ? high : max;
        }
        return new ArchiveInfo(List.copyOf(backups), min, max, stanza.path("status").path("message").asText("missing stanza"));
    }

    /** The earliest time a restore can reach: the end of the oldest base backup. */
    public Optional<Instant> earliest() {
        return backups.stream().map(BaseBackup::stop).min(Comparator.naturalOrder());
    }

    /** The newest base backup. */
    public Optional<BaseBackup> latest() {
        return backups.isEmpty() ? Optional.empty() : Optional.of(backups.get(backups.size() - 1));
    }
}
