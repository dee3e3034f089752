package io.pgfleet.runtime.command;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface HandledCommandRepository extends CrudRepository<HandledCommand, String> {

    /**
     * Records a command id in a namespace (ids are scoped by namespace: one tenant's ids never burn another's); returns 0
     * when it was recorded there before (a redelivery, or the id reused).
     */
    @Query("INSERT INTO handled_command (namespace, command_id, command_type, instance, received_at, fingerprint) "
            + "VALUES (:namespace, :commandId, :commandType, :instance, now(), :fingerprint) ON CONFLICT (namespace, command_id) DO NOTHING")
    int recordFirst(String namespace, String commandId, String commandType, String instance, String fingerprint);

    /** Whether the command id was recorded in the namespace for another command (another fingerprint) than this one. */
    @Query("SELECT count(*) > 0 FROM handled_command WHERE namespace = :namespace AND command_id = :commandId "
            + "AND fingerprint IS NOT NULL AND fingerprint <> :fingerprint")
    boolean recordedForAnother(String namespace, String commandId, String fingerprint);
}
