package io.pgfleet.runtime.command;

import io.micronaut.context.annotation.Value;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.status.FieldError;
import io.pgfleet.runtime.PgfleetSettings;
import io.pgfleet.runtime.db.SchemaMigrator;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Per-namespace quotas, decided once for every service: the first service to take a counted command (provision,
 * {@code add-user}, delete) decides it against the ledger the services share in their state database
 * ({@value SchemaMigrator#SHARED_SCHEMA}) and records the decision there, in the transaction that records the command;
 * every other service answers the same command with that decision. Each service reads a namespace's commands in its own
 * order (they come on several partitions), so counts made apart would differ at the limit and one command would get two
 * answers; this way it gets one.
 *
 * <p>Deciding holds a transaction-scoped advisory lock on the namespace, so two services never count it at once.
 *
 * <p>Config (0 is no bound): {@code pgfleet.limits.namespace-instances} (default 50): instances a namespace may hold.
 * {@code pgfleet.limits.namespace-users} (default 2000): users over all of a namespace's instances.
 * {@code pgfleet.limits.namespace-databases} (default 1000): databases over all of a namespace's instances.
 */
@Singleton
public class NamespaceQuota {

    private static final String SCHEMA = SchemaMigrator.SHARED_SCHEMA;

    private final JdbcOperations jdbc;
    private final QuotaPlan.Limits limits;
    private final String service;

    public NamespaceQuota(JdbcOperations jdbc, PgfleetSettings settings,
                          @Value("${pgfleet.limits.namespace-instances:50}") int instances,
                          @Value("${pgfleet.limits.namespace-users:2000}") int users,
                          @Value("${pgfleet.limits.namespace-databases:1000}") int databases) {
        this.jdbc = jdbc;
        this.service = settings.serviceName();
        this.limits = new QuotaPlan.Limits(instances, users, databases);
    }

    /** The answer to a command: admitted, refused with errors, or its id was decided before for another command. */
    public record Verdict(List<FieldError> errors, boolean idReused) {

        static final Verdict ADMITTED = new Verdict(List.of(), false);
    }

    /** Decides a valid command (or reads its decision), applying an admitted one to the ledger. Call inside the intake's transaction. */
    public Verdict decide(DecodedCommand command, String fingerprint) {
        Optional<QuotaPlan.Claim> claim = QuotaPlan.claim(command);
        if (claim.isEmpty()) {
            return Verdict.ADMITTED;
        }
        String namespace = command.instance().namespace();
        jdbc.prepareStatement("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(?, 0))", statement -> {
            statement.setString(1, "pgfleet quota " + namespace);
            return statement.executeQuery().next();
        });
        Optional<Verdict> recorded = recorded(namespace, command.commandId(), fingerprint);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        QuotaPlan.Decision decision = QuotaPlan.decide(limits, namespace, usage(namespace), claim.get());
        record(namespace, command.commandId(), fingerprint, claim.get().instance(), decision.errors());
        if (decision.admitted()) {
            apply(namespace, claim.get().instance(), decision.after());
        }
        return new Verdict(decision.errors(), false);
    }

    private Optional<Verdict> recorded(String namespace, String commandId, String fingerprint) {
        return jdbc.prepareStatement("SELECT fingerprint, error_paths, error_messages FROM " + SCHEMA + ".decision "
                + "WHERE namespace = ? AND command_id = ?", statement -> {
            statement.setString(1, namespace);
            statement.setString(2, commandId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                if (!row.getString(1).equals(fingerprint)) {
                    return Optional.of(new Verdict(List.of(), true));
                }
                String[] paths = (String[]) row.getArray(2).getArray();
                String[] messages = (String[]) row.getArray(3).getArray();
                List<FieldError> errors = new ArrayList<>();
                for (int i = 0; i < paths.length; i++) {
                    errors.add(new FieldError(paths[i], messages[i]));
                }
                return Optional.of(new Verdict(errors, false));
            }
        });
    }

    private List<QuotaPlan.Usage> usage(String namespace) {
        return jdbc.prepareStatement("SELECT instance, users, databases, provisioned FROM " + SCHEMA + ".usage WHERE namespace = ?",
                statement -> {
                    statement.setString(1, namespace);
                    List<QuotaPlan.Usage> usage = new ArrayList<>();
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            Set<String> users = new LinkedHashSet<>(List.of((String[]) rows.getArray(2).getArray()));
                            usage.add(new QuotaPlan.Usage(rows.getString(1), users, rows.getInt(3), rows.getBoolean(4)));
                        }
                    }
                    return usage;
                });
    }

    private void record(String namespace, String commandId, String fingerprint, String instance, List<FieldError> errors) {
        jdbc.prepareStatement("INSERT INTO " + SCHEMA + ".decision (namespace, command_id, fingerprint, instance, error_paths, "
                + "error_messages, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?)", statement -> {
            statement.setString(1, namespace);
            statement.setString(2, commandId);
            statement.setString(3, fingerprint);
            statement.setString(4, instance);
            statement.setArray(5, texts(statement, errors.stream().map(FieldError::path).toList()));
            statement.setArray(6, texts(statement, errors.stream().map(FieldError::message).toList()));
            statement.setString(7, service);
            return statement.executeUpdate();
        });
    }

    private void apply(String namespace, String instance, Optional<QuotaPlan.Usage> after) {
        if (after.isEmpty()) {
            jdbc.prepareStatement("DELETE FROM " + SCHEMA + ".usage WHERE namespace = ? AND instance = ?", statement -> {
                statement.setString(1, namespace);
                statement.setString(2, instance);
                return statement.executeUpdate();
            });
            return;
        }
        QuotaPlan.Usage usage = after.get();
        jdbc.prepareStatement("INSERT INTO " + SCHEMA + ".usage (namespace, instance, users, databases, provisioned) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT (namespace, instance) DO UPDATE SET users = excluded.users, databases = excluded.databases, "
                + "provisioned = excluded.provisioned", statement -> {
            statement.setString(1, namespace);
            statement.setString(2, instance);
            statement.setArray(3, texts(statement, List.copyOf(usage.users())));
            statement.setInt(4, usage.databases());
            statement.setBoolean(5, usage.provisioned());
            return statement.executeUpdate();
        });
    }

    private static Array texts(PreparedStatement statement, List<String> values) throws SQLException {
        return statement.getConnection().createArrayOf("text", values.toArray(String[]::new));
    }
}
