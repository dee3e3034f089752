package io.pgfleet.runtime.db;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a service's schema up to date before anything uses the database: first the schema the services share
 * ({@code classpath:db/quota}: the namespace quota ledger), then the tables every service has in its own schema
 * ({@code classpath:db/runtime}: handled commands, outbox), then the service's own
 * ({@code pgfleet.db.migrations}). Each set has its own Flyway history table, so either can grow
 * without the other's version numbers getting in the way.
 *
 * <p>{@code pgfleet.db.schema}: the service's schema in the state database, created when missing (set by each service).
 * {@code pgfleet.db.migrations}: where the service's own migrations are, such as {@code classpath:db/provisioner} (set by
 * each service).
 */
@Singleton
public class SchemaMigrator implements BeanCreatedEventListener<DataSource> {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    /** The schema the services of a fleet share in their state database. */
    public static final String SHARED_SCHEMA = "pgfleet_quota";

    private final String schema;
    private final String migrations;

    public SchemaMigrator(@Value("${pgfleet.db.schema}") String schema, @Value("${pgfleet.db.migrations}") String migrations) {
        this.schema = schema;
        this.migrations = migrations;
    }

    @Override
    public DataSource onCreated(BeanCreatedEvent<DataSource> event) {
        // The bean is Micronaut Data's contextual proxy; its connections need beans still being made.
        DataSource dataSource = DelegatingDataSource.unwrapDataSource(event.getBean());
        migrateShared(dataSource);
        migrate(dataSource, schema, "classpath:db/runtime", "pgfleet_runtime_history");
        migrate(dataSource, schema, migrations, "flyway_schema_history");
        return event.getBean();
    }

    /**
     * The schema the services share ({@value #SHARED_SCHEMA}: the namespace quota ledger), migrated by whichever service
     * starts first: the others wait on an advisory lock held meanwhile, so two never create it at once.
     */
    private void migrateShared(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement lock = connection.createStatement()) {
            lock.execute("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext('" + SHARED_SCHEMA + " migrations'))");
            try {
                migrate(dataSource, SHARED_SCHEMA, "classpath:db/quota", "flyway_schema_history");
            } finally {
                lock.execute("SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('" + SHARED_SCHEMA + " migrations'))");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not migrate schema " + SHARED_SCHEMA + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(DataSource dataSource, String schema, String location, String historyTable) {
        var result = Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .createSchemas(true)
                .locations(location)
                .table(historyTable)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
        LOG.info("schema {}: {} migration(s) from {} applied", schema, result.migrationsExecuted, location);
    }
}
