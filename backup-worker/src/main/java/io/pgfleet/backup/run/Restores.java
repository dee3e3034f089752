package io.pgfleet.backup.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfleet.backup.wal.PointInTimeRestore;
import io.pgfleet.runtime.job.JobRow;
import io.pgfleet.runtime.job.Step;
import jakarta.inject.Singleton;

/** What brings a backup back: a restore of logical backups ({@link RestoreRun}), to a point in time, or a drill ({@link VerifyRun}). */
@Singleton
class Restores {

    private final RestoreRun logical;
    private final PointInTimeRestore pointInTime;
    private final VerifyRun drills;

    Restores(RestoreRun logical, PointInTimeRestore pointInTime, VerifyRun drills) {
        this.logical = logical;
        this.pointInTime = pointInTime;
        this.drills = drills;
    }

    /** A restore job's step: to a point in time when its spec names one, else of a backup. */
    Step restore(JobRow job, JsonNode spec) {
        return spec.hasNonNull("pointInTime") ? pointInTime.restore(job, spec) : logical.restore(job, spec);
    }

    /** A verify job's step: the drill. */
    Step verify(JobRow job, JsonNode spec) {
        return drills.verify(job, spec);
    }
}
