package io.pgfleet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** The rows of {@code pgfleet list} and {@code pgfleet backups}, made from the services' views (pure). */
final class FleetView {

    /** One instance: the provisioner's phase and members, the backup-worker's newest backup and recovery window. */
    record InstanceLine(String instance, String phase, int membersReady, int membersDesired, String primary, String lastBackup,
                        Instant lastBackupAt, String lastBackupAge, String size, String backupSchedule, Instant recoverableFrom,
                        String message) {

        String members() {
            return membersReady + "/" + membersDesired;
        }
    }

    /** One backup of an instance's catalog. */
    record BackupLine(String id, String status, String trigger, Instant startedAt, Instant finishedAt, String age, Long bytes,
                      Long durationMs, List<String> databases, String message, Instant verifiedAt, Double restoreSeconds) {
    }

    static final Table<InstanceLine> INSTANCES = new Table<InstanceLine>()
            .column("INSTANCE", InstanceLine::instance).column("PHASE", InstanceLine::phase).column("MEMBERS", InstanceLine::members)
            .column("PRIMARY", InstanceLine::primary).column("LAST BACKUP", InstanceLine::lastBackup)
            .column("AGE", InstanceLine::lastBackupAge).wideColumn("SIZE", InstanceLine::size)
            .wideColumn("SCHEDULE", InstanceLine::backupSchedule).wideColumn("RECOVERABLE FROM", InstanceLine::recoverableFrom)
            .wideColumn("MESSAGE", InstanceLine::message);

    static final Table<BackupLine> BACKUPS = new Table<BackupLine>()
            .column("ID", BackupLine::id).column("STATUS", BackupLine::status).column("TRIGGER", BackupLine::trigger)
            .column("FINISHED", BackupLine::finishedAt).column("AGE", BackupLine::age).column("SIZE", b -> bytes(b.bytes()))
            .column("VERIFIED", BackupLine::verifiedAt).column("RTO", b -> b.restoreSeconds() == null ? null : b.restoreSeconds() + "s")
            .wideColumn("DURATION", b -> b.durationMs() == null ? null : b.durationMs() + "ms")
            .wideColumn("DATABASES", b -> b.databases() == null ? null : String.join(",", b.databases()))
            .wideColumn("MESSAGE", BackupLine::message);

    private FleetView() {
    }

    /**
     * One line per instance the provisioner knows, in its order.
     *
     * @param instances the provisioner's {@code GET /instances}
     * @param backups   the backup-worker's {@code GET /instances}
     */
    static List<InstanceLine> instances(JsonNode instances, JsonNode backups, Instant now) {
        Map<String, JsonNode> backupOf = new HashMap<>();
        backups.forEach(b -> backupOf.put(b.path("instance").asText(), b));
        List<InstanceLine> lines = new ArrayList<>();
        for (JsonNode instance : instances) {
            String key = instance.path("instance").asText();
            JsonNode backup = backupOf.get(key);
            JsonNode last = backup == null ? null : backup.get("lastBackup");
            Instant lastAt = last == null || last.isNull() ? null : instant(last.get("finishedAt"));
            lines.add(new InstanceLine(key, instance.path("phase").asText(), instance.path("membersReady").asInt(),
                    instance.path("membersDesired").asInt(), text(instance.get("primary")),
                    last == null || last.isNull() ? null : last.path("id").asText(), lastAt, lastAt == null ? null : age(lastAt, now),
                    text(instance.path("spec").get("size")),
                    backup == null || !backup.path("enabled").asBoolean() ? "off" : backup.path("schedule").asText(),
                    backup == null ? null : instant(backup.path("walArchive").get("recoverableFrom")), text(instance.get("message"))));
        }
        return lines;
    }

    /**
     * One line per instance of the fleet-state topic (by instance key): the same columns, from the record the three
     * services fold their parts into; it has no size, that column stays empty.
     */
    static List<InstanceLine> instancesFromFleet(Map<String, JsonNode> fleet, Instant now) {
        List<InstanceLine> lines = new ArrayList<>();
        fleet.forEach((key, state) -> {
            JsonNode backup = state.path("backup");
            Instant lastAt = instant(backup.get("lastBackupAt"));
            lines.add(new InstanceLine(key, text(state.get("phase")), state.path("membersReady").asInt(), state.path("membersDesired").asInt(),
                    text(state.get("primary")), text(backup.get("lastBackup")), lastAt, lastAt == null ? null : age(lastAt, now), null,
                    backup.path("enabled").asBoolean() ? backup.path("schedule").asText() : "off",
                    instant(backup.get("recoverableFrom")), text(state.get("message"))));
        });
        return lines;
    }

    /** One line per backup of the backup-worker's {@code GET /instances/{ns}/{name}/backups}, newest first. */
    static List<BackupLine> backups(JsonNode runs, Instant now) {
        List<BackupLine> lines = new ArrayList<>();
        for (JsonNode run : runs) {
            Instant finished = instant(run.get("finishedAt"));
            List<String> databases = new ArrayList<>();
            run.path("databases").forEach(d -> databases.add(d.asText()));
            lines.add(new BackupLine(run.path("id").asText(), run.path("status").asText(), run.path("trigger").asText(),
                    instant(run.get("startedAt")), finished, finished == null ? null : age(finished, now),
                    run.hasNonNull("bytes") ? run.get("bytes").asLong() : null,
                    run.hasNonNull("durationMs") ? run.get("durationMs").asLong() : null, run.has("databases") ? databases : null,
                    text(run.get("message")), instant(run.get("verifiedAt")),
                    run.hasNonNull("restoreSeconds") ? run.get("restoreSeconds").asDouble() : null));
        }
        return lines;
    }

    /** How long ago, as people say it: {@code 45s}, {@code 12m}, {@code 3h5m}, {@code 2d4h}. */
    static String age(Instant then, Instant now) {
        Duration ago = Duration.between(then, now);
        if (ago.isNegative()) {
            return "0s";
        }
        long s = ago.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86400) {
            return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
        }
        return s / 86400 + "d" + (s % 86400 / 3600 == 0 ? "" : s % 86400 / 3600 + "h");
    }

    static String bytes(Long bytes) {
        if (bytes == null) {
            return null;
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
    }

    private static Instant instant(JsonNode node) {
        return node == null || node.isNull() || node.asText().isEmpty() ? null : Instant.parse(node.asText());
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
