package io.pgfleet.runtime.command;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface HandledCommandRepository extends CrudRepository<HandledCommand, String> {

    /** Records a command id; returns 0 when it was recorded before (a redelivery). */
    @Query("INSERT INTO handled_command (command_id, command_type, instance, received_at) VALUES (:commandId, :commandType, :instance, now()) "
            + "ON CONFLICT (command_id) DO NOTHING")
    int recordFirst(String commandId, String commandType, String instance);
}
