package io.pgfleet.runtime.db;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import jakarta.inject.Singleton;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a service's schema up to date before anything uses the database: first the tables every
 * service shares ({@code classpath:db/runtime}: handled commands, outbox), then the service's own
 * ({@code pgfleet.db.migrations}). Each set has its own Flyway history table, so either can grow
 * without the other's version numbers getting in the way.
 *
 * <p>Config: {@code pgfleet.db.schema} (the service's schema, created when missing) and
 * {@code pgfleet.db.migrations} (e.g. {@code classpath:db/provisioner}).
 */
@Singleton
public class SchemaMigrator implements BeanCreatedEventListener<DataSource> {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

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
        migrate(dataSource, "classpath:db/runtime", "pgfleet_runtime_history");
        migrate(dataSource, migrations, "flyway_schema_history");
        return event.getBean();
    }

    private void migrate(DataSource dataSource, String location, String historyTable) {
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
