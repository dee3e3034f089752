package io.pgfleet.backup.restic;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A {@code restic backup} under way ({@link ResticRepository#prepareBackup}): {@link #finish} it, or {@link #cancel} it
 * (no snapshot is written).
 */
public final class ResticSave {

    private final ResticRepository repository;
    private final String what;
    private final Pipeline.Running running;

    ResticSave(ResticRepository repository, String what, Pipeline.Running running) {
        this.repository = repository;
        this.what = what;
        this.running = running;
    }

    /**
     * Gives restic the content ({@code null}: it comes from the pipeline's first program) and waits
     * for the snapshot. A program feeding restic that failed fails the save; a snapshot restic made of
     * the part it got is named in the exception ({@link ResticException#leftSnapshot()}).
     */
    public ResticRepository.Saved finish(byte[] content) {
        Pipeline.Result result = running.finish(content);
        JsonNode summary = ResticRepository.lastJson(result.output());
        String snapshot = summary != null && summary.hasNonNull("snapshot_id") ? summary.get("snapshot_id").asText() : null;
        if (!result.ok()) {
            ResticException failure = repository.failure(result, "saving " + what);
            throw new ResticException(failure.getMessage(), failure.locked(), snapshot);
        }
        if (snapshot == null) {
            throw new ResticException("restic made no snapshot of " + what, false);
        }
        return new ResticRepository.Saved(snapshot, summary.path("total_bytes_processed").asLong());
    }

    /**
     * Stops restic before it has the content: it writes no snapshot. Its lock is removed by restic
     * itself or, when the stop came just after restic made it, by {@code restic unlock} (stale locks only).
     */
    public void cancel() {
        running.interrupt();
        try {
            repository.unlockStale();
        } catch (ResticException e) {
            // the next command that needs the repository to itself removes it
        }
    }
}
