package io.pgfleet.provisioner.instance;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface InstanceRepository extends CrudRepository<InstanceRow, String> {

    @Query("UPDATE instance SET phase = :phase, message = :message, updated_at = now() WHERE key = :key")
    void updatePhase(String key, String phase, String message);

    @Query("UPDATE instance SET spec = :spec, phase = :phase, message = :message, updated_at = now() WHERE key = :key")
    void updateSpec(String key, String spec, String phase, String message);

    List<InstanceRow> findByPhaseInList(List<String> phases);

    /** The instance's phase, its row locked until the transaction ends (replicas of the service take turns). */
    @Query("SELECT phase FROM instance WHERE key = :key FOR UPDATE")
    java.util.Optional<String> lockPhase(String key);

    List<InstanceRow> findAllOrderByKey();
}
