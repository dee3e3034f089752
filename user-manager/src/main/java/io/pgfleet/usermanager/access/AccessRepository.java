package io.pgfleet.usermanager.access;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface AccessRepository extends CrudRepository<AccessRow, String> {

    @Query("INSERT INTO access (instance, desired, managed_users, updated_at) VALUES (:instance, :desired, '[]', now()) "
            + "ON CONFLICT (instance) DO UPDATE SET desired = EXCLUDED.desired, updated_at = now()")
    void saveDesired(String instance, String desired);

    @Query("UPDATE access SET managed_users = :managedUsers, updated_at = now() WHERE instance = :instance")
    void saveManaged(String instance, String managedUsers);
}
