package io.pgfleet.backup.plan;

import java.util.List;
import java.util.Optional;

/**
 * The order of a backup's bounded steps, as a pure function of its recorded progress: plan (read the instance's
 * databases and roles, choose how each is saved), save (dump and save every file not saved yet, each recorded as it
 * is saved), write the manifest, finish (retention, the result). A step taken up again after its worker was killed
 * first cleans up after the killed attempt: its restic processes stopped, its snapshots that were never recorded
 * forgotten; what was recorded is kept and not saved again.
 */
public final class BackupSteps {

    /** The one step to take next. */
    public sealed interface Next {
        /** Read the instance's catalogue and plan the backup. */
        record Plan() implements Next {
        }

        /**
         * Dump and save these files of the set.
         *
         * @param cleanUpFirst a killed attempt of this step may have left restic running and snapshots unrecorded
         */
        record Save(List<String> files, boolean cleanUpFirst) implements Next {
        }

        /** Every file is saved: write the manifest that makes the set count. */
        record WriteManifest(boolean cleanUpFirst) implements Next {
        }

        /** The manifest is saved: apply the retention policy and answer. */
        record Finish() implements Next {
        }
    }

    private BackupSteps() {
    }

    public static Next next(Optional<BackupProgress> recorded) {
        if (recorded.isEmpty()) {
            return new Next.Plan();
        }
        BackupProgress progress = recorded.get();
        if (progress.manifestSnapshot() != null) {
            return new Next.Finish();
        }
        List<String> missing = progress.wanted().stream().filter(file -> !progress.files().containsKey(file)).toList();
        if (!missing.isEmpty()) {
            return new Next.Save(missing, progress.underWay() != null);
        }
        return new Next.WriteManifest(progress.underWay() != null);
    }
}
