package io.pgfleet.runtime.command;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface HandledCommandRepository extends CrudRepository<HandledCommand, String> {

    /** Records a command id; returns 0 when it was recorded before (a redelivery, or the id reused). */
    @Query("INSERT INTO handled_command (command_id, command_type, instance, received_at, fingerprint) "
            + "VALUES (:commandId, :commandType, :instance, now(), :fingerprint) ON CONFLICT (command_id) DO NOTHING")
    int recordFirst(String commandId, String commandType, String instance, String fingerprint);

    /** Whether the command id was recorded for another command (another fingerprint) than this one. */
    @Query("SELECT count(*) > 0 FROM handled_command WHERE command_id = :commandId AND fingerprint IS NOT NULL "
            + "AND fingerprint <> :fingerprint")
    boolean recordedForAnother(String commandId, String fingerprint);
}
