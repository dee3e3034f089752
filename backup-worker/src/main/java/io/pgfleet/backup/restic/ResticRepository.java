package io.pgfleet.backup.restic;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.events.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import io.pgfleet.host.Processes;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance's restic repository. restic always runs with an argument vector and its secrets in
 * its environment; every message it gives back has them masked.
 *
 * @param repository e.g. {@code s3:http://127.0.0.1:9000/bucket/tenant-a/pg}
 * @param region     the S3 region ({@code -o s3.region})
 * @param host       the snapshot host: the instance key, so retention groups do not depend on which
 *                   worker took the backup
 * @param network    environment that decides how restic reaches the endpoint ({@code HTTPS_PROXY} of a {@link PinnedProxy}
 *                   route), empty for none
 */
public record ResticRepository(String restic, String repository, String region, String host, ResticCredentials credentials,
                               Duration timeout, Map<String, String> network) {

    /** A repository reached as its URL says (no proxy of pgfleet's). */
    public ResticRepository(String restic, String repository, String region, String host, ResticCredentials credentials, Duration timeout) {
        this(restic, repository, region, host, credentials, timeout, Map.of());
    }

    /** A snapshot as {@code restic snapshots --json} lists it. */
    public record Snapshot(String id, String shortId, Instant time, List<String> paths, Set<String> tags) {

        /** The value of a {@code key=value} tag, or {@code null}. */
        public String tag(String key) {
            return tags.stream().filter(t -> t.startsWith(key + "=")).map(t -> t.substring(key.length() + 1)).findFirst().orElse(null);
        }
    }

    /** What {@code restic backup} reports. */
    public record Saved(String snapshotId, long bytes) {
    }

    /** The tag of the snapshot that completes a backup. */
    public static final String MANIFEST = "manifest";

    /** A stage that runs restic on this repository with these arguments. */
    public Pipeline.Stage stage(String... args) {
        List<String> argv = new ArrayList<>(List.of(restic, "--no-cache", "-r", repository, "-o", "s3.region=" + region));
        argv.addAll(List.of(args));
        Map<String, String> environment = new HashMap<>(credentials.environment());
        environment.putAll(network);
        return new Pipeline.Stage(argv, environment);
    }

    /** Repositories this process has seen initialised, with their format version (a wrong password still shows at the next command). */
    private static final Map<String, Integer> INITIALISED = new ConcurrentHashMap<>();

    /** Creates the repository unless it exists. */
    public void ensureInitialized() {
        if (INITIALISED.containsKey(repository)) {
            return;
        }
        Pipeline.Result config = Pipeline.run(List.of(stage("cat", "config")), null, timeout);
        if (config.ok()) {
            INITIALISED.put(repository, formatVersion(config.output()));
            return;
        }
        String error = config.errors().get(0);
        boolean unreachable = !explain(error).equals(error);
        if (!unreachable && (error.contains("Is there a repository at the following location?") || error.contains("unable to open config file"))) {
            check(Pipeline.run(List.of(stage("init", "--repository-version", "2")), null, timeout), "initialising the repository");
            INITIALISED.put(repository, 2);
            return;
        }
        check(config, "opening the repository");
    }

    /**
     * Whether restic compresses what it stores here (format version 2, zstd): dumps are then written uncompressed
     * ({@code pg_dump -Z0}), so the work is restic's, in parallel, and unchanged data deduplicates across backups. A
     * repository this process has not opened yet counts as one that compresses (every repository restic 0.14 makes does).
     */
    public boolean compresses() {
        return INITIALISED.getOrDefault(repository, 2) >= 2;
    }

    private static int formatVersion(String config) {
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*(\\d+)").matcher(config);
        return version.find() ? Integer.parseInt(version.group(1)) : 1;
    }

    /**
     * Stops what a killed predecessor of a backup left running: restic processes of this machine saving
     * snapshots tagged {@code backup=<backupId>} outlive the worker that started them (nothing else
     * stops them) and would add a snapshot to the set after the retry cleaned it up. They get SIGTERM
     * (restic then saves nothing), SIGKILL after 30 s; their locks go with {@link #unlockStale}.
     *
     * @return how many were stopped
     */
    public int stopLeftovers(String backupId) {
        String tag = "backup=" + backupId;
        List<ProcessHandle> leftovers = Processes.matching(argv -> !argv.isEmpty()
                && (argv.get(0).equals(restic) || Processes.programName(argv.get(0)).equals("restic"))
                && argv.contains(tag) && argv.contains(repository));
        Processes.stopAll(leftovers, Duration.ofSeconds(30));
        if (!leftovers.isEmpty()) {
            unlockStale();
        }
        return leftovers.size();
    }

    /** Removes locks left by restic processes that are gone. */
    public void unlockStale() {
        check(Pipeline.run(List.of(stage("unlock")), null, timeout), "removing stale locks");
    }

    /** Saves what {@code producer} (e.g. pg_dump) writes to stdout, streamed through a pipe, as file {@code filename} of a new snapshot. */
    public Saved backup(Pipeline.Stage producer, String filename, List<String> tags) {
        return backup(List.of(producer), filename, tags);
    }

    /** Saves what the last of {@code producers} writes (each feeding the next), as {@code filename}. */
    public Saved backup(List<Pipeline.Stage> producers, String filename, List<String> tags) {
        List<Pipeline.Stage> stages = new ArrayList<>(producers);
        stages.add(stdinBackup(filename, tags));
        return new ResticSave(this, filename, Pipeline.start(stages, timeout)).finish(null);
    }

    /**
     * Starts saving a small file whose content is known later ({@link Save#finish}): restic starts,
     * derives its key and loads the index now, so the snapshot is written at once when the content comes.
     */
    public ResticSave prepareBackup(String filename, List<String> tags) {
        return new ResticSave(this, filename, Pipeline.start(List.of(stdinBackup(filename, tags)), timeout));
    }

    /** Saves the files of a directory in one snapshot (their paths in it are their absolute paths). */
    public Saved backupDirectory(Path directory, List<String> tags) {
        List<String> args = new ArrayList<>(List.of("backup", "--json", "--quiet", "--host", host));
        tags.forEach(tag -> args.addAll(List.of("--tag", tag)));
        args.add(directory.toAbsolutePath().toString());
        return new ResticSave(this, directory.getFileName().toString(), Pipeline.start(List.of(stage(args.toArray(String[]::new))), timeout)).finish(null);
    }

    private Pipeline.Stage stdinBackup(String filename, List<String> tags) {
        List<String> args = new ArrayList<>(List.of("backup", "--json", "--quiet", "--stdin", "--stdin-filename", filename, "--host", host));
        tags.forEach(tag -> args.addAll(List.of("--tag", tag)));
        return stage(args.toArray(String[]::new));
    }

    /** Snapshots of this host carrying all these tags (none: all of the host). */
    public List<Snapshot> snapshots(String... tags) {
        List<String> args = new ArrayList<>(List.of("snapshots", "--json", "--host", host));
        if (tags.length > 0) {
            args.addAll(List.of("--tag", String.join(",", tags)));
        }
        Pipeline.Result result = Pipeline.run(List.of(stage(args.toArray(String[]::new))), null, timeout);
        check(result, "listing snapshots");
        List<Snapshot> snapshots = new ArrayList<>();
        try {
            for (JsonNode node : Json.mapper().readTree(result.output())) {
                List<String> paths = new ArrayList<>();
                node.path("paths").forEach(p -> paths.add(p.asText()));
                Set<String> tagSet = new TreeSet<>();
                node.path("tags").forEach(t -> tagSet.add(t.asText()));
                snapshots.add(new Snapshot(node.get("id").asText(), node.path("short_id").asText(), Instant.parse(node.get("time").asText()),
                        paths, tagSet));
            }
        } catch (IOException e) {
            throw new ResticException("restic listed snapshots in a form this worker does not read: " + e.getMessage(), false);
        }
        return snapshots;
    }

    /** Writes a file of a snapshot ({@code path}: its path in the snapshot) to the stdin of {@code consumer} (e.g. pg_restore). */
    public String dumpInto(String snapshotId, String path, Pipeline.Stage consumer, String what) {
        Pipeline.Result result = Pipeline.run(List.of(stage("dump", snapshotId, path), consumer), null, timeout);
        check(result, what);
        return result.output();
    }

    /** Restores these files ({@code paths}: their paths in the snapshot) of a snapshot under {@code target}, at {@code target/<path>}. */
    public void restore(String snapshotId, List<String> paths, Path target) {
        List<String> args = new ArrayList<>(List.of("restore", snapshotId, "--target", target.toAbsolutePath().toString()));
        paths.forEach(path -> args.addAll(List.of("--include", path)));
        check(Pipeline.run(List.of(stage(args.toArray(String[]::new))), null, timeout), "restoring " + String.join(", ", paths));
    }

    /** A file of a snapshot ({@code path}: its path in the snapshot), read whole (small files: manifests, globals). */
    public byte[] read(String snapshotId, String path) {
        Pipeline.Result result = Pipeline.run(List.of(stage("dump", snapshotId, path)), null, timeout);
        check(result, "reading " + path);
        return result.output().getBytes(StandardCharsets.UTF_8);
    }

    /** Forgets these snapshots (a backup that did not complete). */
    public void forget(List<String> snapshotIds) {
        if (snapshotIds.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("forget"));
        args.addAll(snapshotIds);
        exclusive(args, "forgetting an incomplete backup");
    }

    /**
     * Applies a retention policy to whole backups: {@code restic forget <flags>} over this host's
     * manifests (one per complete backup, so the policy counts backups, whatever files each has), then
     * the other snapshots of every backup whose manifest is gone are forgotten and the repository is
     * pruned. Snapshots without a {@code backup=} tag are left alone.
     */
    public void applyRetention(List<String> flags) {
        List<String> args = new ArrayList<>(List.of("forget", "--host", host, "--tag", MANIFEST, "--group-by", "host"));
        args.addAll(flags);
        exclusive(args, "applying the retention policy");
        List<Snapshot> left = snapshots();
        Set<String> complete = new HashSet<>();
        left.stream().filter(s -> s.tags().contains(MANIFEST)).forEach(s -> complete.add(s.tag("backup")));
        List<String> prune = new ArrayList<>(List.of("forget", "--prune"));
        left.stream().filter(s -> !s.tags().contains(MANIFEST) && s.tag("backup") != null && !complete.contains(s.tag("backup")))
                .forEach(s -> prune.add(s.id()));
        exclusive(prune.size() > 2 ? prune : List.of("prune"), "pruning the repository");
    }

    /** Runs a command that needs the repository to itself: after a lock error, stale locks are removed and it is tried once more. */
    private void exclusive(List<String> args, String what) {
        try {
            check(Pipeline.run(List.of(stage(args.toArray(String[]::new))), null, timeout), what);
        } catch (ResticException e) {
            if (!e.locked()) {
                throw e;
            }
            unlockStale();
            check(Pipeline.run(List.of(stage(args.toArray(String[]::new))), null, timeout), what);
        }
    }


    private void check(Pipeline.Result result, String what) {
        if (!result.ok()) {
            throw failure(result, what);
        }
    }

    ResticException failure(Pipeline.Result result, String what) {
        String failure = credentials.mask(result.failure());
        boolean locked = failure.contains("repository is already locked") || failure.contains("unable to create lock");
        return new ResticException(what + " failed: " + explain(failure), locked);
    }

    /** restic's own words, with the usual causes said plainly first. */
    private static String explain(String failure) {
        if (failure.contains("wrong password or no key found")) {
            return "the restic password does not open the repository (" + failure + ")";
        }
        if (failure.contains("connection refused") || failure.contains("no such host") || failure.contains("i/o timeout")) {
            return "the S3 endpoint cannot be reached (" + failure + ")";
        }
        if (failure.contains("Access Denied") || failure.contains("InvalidAccessKeyId") || failure.contains("SignatureDoesNotMatch")) {
            return "the S3 credentials were refused (" + failure + ")";
        }
        return failure;
    }

    static JsonNode lastJson(String output) {
        JsonNode last = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    JsonNode node = Json.mapper().readTree(line);
                    if ("summary".equals(node.path("message_type").asText())) {
                        last = node;
                    }
                } catch (IOException ignored) {
                    // progress lines
                }
            }
        }
        return last;
    }
}
