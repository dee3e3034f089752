package io.pgfleet.provisioner.instance;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface InstanceRepository extends CrudRepository<InstanceRow, String> {

    @Query("UPDATE instance SET phase = :phase, message = :message, updated_at = now() WHERE key = :key")
    void updatePhase(String key, String phase, String message);

    @Query("UPDATE instance SET spec = :spec, phase = :phase, message = :message, updated_at = now() WHERE key = :key")
    void updateSpec(String key, String spec, String phase, String message);

    List<InstanceRow> findByPhaseInList(List<String> phases);

    /** The instance's phase, its row locked until the transaction ends (replicas of the service take turns). */
    @Query("SELECT phase FROM instance WHERE key = :key FOR UPDATE")
    Optional<String> lockPhase(String key);

    List<InstanceRow> findAllOrderByKey();

    /** Keeps what the FailoverStarted event said until FailoverCompleted is said ({@code null}: none under way). */
    @Query("UPDATE instance SET failover = :failover WHERE key = :key")
    void updateFailover(String key, @Nullable String failover);

    @Query("SELECT failover FROM instance WHERE key = :key AND failover IS NOT NULL")
    Optional<String> findFailover(String key);

    @Query("UPDATE instance SET primary_member = :primaryMember WHERE key = :key")
    void updatePrimaryMember(String key, String primaryMember);

    /** Counts a failed repair and says when the next may start. */
    @Query("UPDATE instance SET repair_failures = repair_failures + 1, next_repair_at = :nextAt WHERE key = :key")
    void repairFailed(String key, Instant nextAt);

    @Query("SELECT repair_failures FROM instance WHERE key = :key")
    Optional<Integer> findRepairFailures(String key);

    @Query("UPDATE instance SET repair_failures = 0, next_repair_at = NULL WHERE key = :key")
    void repairSucceeded(String key);

    /** Whether a repair of the instance waits for its back-off to end. */
    @Query("SELECT count(*) > 0 FROM instance WHERE key = :key AND next_repair_at > :now")
    boolean repairBackingOff(String key, Instant now);
}
