package io.pgfleet.backup.wal;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface WalArchiveRepository extends CrudRepository<WalArchiveRow, String> {

    @Query("INSERT INTO wal_archive (instance, stanza, repository, earliest, base_backups, wal_min, wal_max, updated_at) "
            + "VALUES (:instance, :stanza, :repository, :earliest, :baseBackups, :walMin, :walMax, :updatedAt) "
            + "ON CONFLICT (instance) DO UPDATE SET stanza = EXCLUDED.stanza, repository = EXCLUDED.repository, earliest = EXCLUDED.earliest, "
            + "base_backups = EXCLUDED.base_backups, wal_min = EXCLUDED.wal_min, wal_max = EXCLUDED.wal_max, updated_at = EXCLUDED.updated_at")
    void upsert(WalArchiveRow row);
}
