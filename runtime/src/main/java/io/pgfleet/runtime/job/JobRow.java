package io.pgfleet.runtime.job;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/**
 * Work for one instance: a command being carried out (or a repair), one driver step at a time.
 *
 * @param commandId   the command it answers; {@code null} for a repair nobody asked for
 * @param commandType the command (provision, scale, ...) or the service's own kind of work (repair)
 * @param spec        what to reach, as JSON the service reads (never a secret), {@code null} when nothing
 * @param status      {@link JobStatus}
 * @param step        the last step reported
 * @param errors      unexpected errors met so far (retried a few times)
 * @param stepSince   when {@code step} was first reported
 */
@MappedEntity("job")
public record JobRow(@Id @GeneratedValue @Nullable Long id, String instance, @Nullable String commandId, String commandType,
                     @Nullable String spec, String status, String step, int errors, Instant notBefore, @Nullable String leaseOwner,
                     @Nullable Instant leaseUntil, Instant createdAt,
                     Instant updatedAt, @Nullable Instant stepSince) {

    /** A new job, to be taken as soon as the instance's earlier jobs are done. */
    public static JobRow pending(String instance, String commandId, JobKind kind, String spec, Instant now) {
        return new JobRow(null, instance, commandId, kind.id(), spec, JobStatus.PENDING.name(), "", 0, now, null, null, now, now, now);
    }

    /** What the job carries out. */
    public JobKind kind() {
        return JobKind.of(commandType);
    }
}
