package io.pgfleet.runtime.command;

import io.pgfleet.events.command.AddUserCommand;
import io.pgfleet.events.command.CommandType;
import io.pgfleet.events.envelope.DecodedCommand;
import io.pgfleet.events.postgres.Postgres;
import io.pgfleet.events.postgres.PostgresSpec;
import io.pgfleet.events.status.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a command fits its namespace's quotas ({@code pgfleet.limits.namespace-instances}, {@code namespace-users},
 * {@code namespace-databases}): a pure function of the limits, what the namespace's instances hold in the shared ledger,
 * and what the command claims. {@link NamespaceQuota} reads the ledger, records the decision and applies it.
 *
 * <p>A command is refused only for what it adds: an update that keeps or lowers a count the namespace is already over
 * (the limits were lowered since) is admitted, so a tenant can always shrink.
 */
public final class QuotaPlan {

    private QuotaPlan() {
    }

    /** The bounds on one namespace; 0 means no bound. */
    public record Limits(int instances, int users, int databases) {

        public static final Limits NONE = new Limits(0, 0, 0);

        public Limits {
            if (instances < 0 || users < 0 || databases < 0) {
                throw new IllegalArgumentException("namespace limits must be 0 (no bound) or more: " + instances + ", " + users + ", " + databases);
            }
        }
    }

    /**
     * What one instance of the namespace holds in the ledger.
     *
     * @param provisioned whether a provision of it was admitted (only those count as instances: an {@code add-user} for an
     *                    instance nobody provisioned counts its user, and does not make room for a provision later)
     */
    public record Usage(String instance, Set<String> users, int databases, boolean provisioned) {

        public Usage {
            users = Set.copyOf(users);
        }
    }

    /** What a command asks of its namespace. */
    public sealed interface Claim {

        String instance();

        /** A provision: the instance, with exactly these users and this many databases. */
        record Provision(String instance, Set<String> users, int databases) implements Claim {
        }

        /** An {@code add-user}: one user more on the instance (none when it has it already). */
        record AddUser(String instance, String user) implements Claim {
        }

        /** A delete: the instance gives back what it held. */
        record Release(String instance) implements Claim {
        }
    }

    /**
     * The decision on a claim.
     *
     * @param errors why it is refused (empty: admitted)
     * @param after  what the instance holds once the claim is admitted; empty when it holds nothing any more
     */
    public record Decision(List<FieldError> errors, Optional<Usage> after) {

        public Decision {
            errors = List.copyOf(errors);
        }

        public boolean admitted() {
            return errors.isEmpty();
        }
    }

    /** What a command claims of its namespace; empty for the commands quotas do not count (scale, backup, …). */
    public static Optional<Claim> claim(DecodedCommand command) {
        String instance = command.instance().name();
        if (command.type() == CommandType.PROVISION && command.payload() instanceof Postgres doc && doc.spec() != null) {
            PostgresSpec spec = doc.spec().effective();
            return Optional.of(new Claim.Provision(instance, new LinkedHashSet<>(spec.users().keySet()), spec.databases().size()));
        }
        if (command.type() == CommandType.PROVISION && command.payload() instanceof Postgres) {
            return Optional.of(new Claim.Provision(instance, Set.of(), 0));
        }
        if (command.type() == CommandType.ADD_USER && command.payload() instanceof AddUserCommand addUser) {
            return Optional.of(new Claim.AddUser(instance, addUser.name()));
        }
        if (command.type() == CommandType.DELETE) {
            return Optional.of(new Claim.Release(instance));
        }
        return Optional.empty();
    }

    /**
     * Decides a claim of namespace {@code namespace}, whose instances hold {@code usage} (one entry per instance the ledger
     * knows).
     */
    public static Decision decide(Limits limits, String namespace, List<Usage> usage, Claim claim) {
        Optional<Usage> before = usage.stream().filter(u -> u.instance().equals(claim.instance())).findFirst();
        List<Usage> others = usage.stream().filter(u -> !u.instance().equals(claim.instance())).toList();
        if (claim instanceof Claim.Provision provision) {
            return provision(limits, namespace, others, before, provision);
        }
        if (claim instanceof Claim.AddUser addUser) {
            return addUser(limits, namespace, others, before, addUser);
        }
        return new Decision(List.of(), Optional.empty());
    }

    private static Decision provision(Limits limits, String namespace, List<Usage> others, Optional<Usage> before, Claim.Provision provision) {
        List<FieldError> errors = new ArrayList<>();
        long otherInstances = others.stream().filter(Usage::provisioned).count();
        if (!before.map(Usage::provisioned).orElse(false) && limits.instances() > 0 && otherInstances >= limits.instances()) {
            errors.add(new FieldError("metadata.name", "namespace '" + namespace + "' has " + otherInstances + " instances, the most "
                    + "pgfleet.limits.namespace-instances allows (" + limits.instances() + "); delete one before provisioning "
                    + provision.instance()));
        }
        int otherUsers = users(others);
        int users = otherUsers + provision.users().size();
        if (over(limits.users(), users, otherUsers + before.map(u -> u.users().size()).orElse(0))) {
            errors.add(new FieldError("spec.users", "would give namespace '" + namespace + "' " + users + " users across its instances ("
                    + provision.users().size() + " here); at most " + limits.users() + " (pgfleet.limits.namespace-users)"));
        }
        int otherDatabases = others.stream().mapToInt(Usage::databases).sum();
        int databases = otherDatabases + provision.databases();
        if (over(limits.databases(), databases, otherDatabases + before.map(Usage::databases).orElse(0))) {
            errors.add(new FieldError("spec.databases", "would give namespace '" + namespace + "' " + databases
                    + " databases across its instances (" + provision.databases() + " here); at most " + limits.databases()
                    + " (pgfleet.limits.namespace-databases)"));
        }
        return new Decision(errors, Optional.of(new Usage(provision.instance(), provision.users(), provision.databases(), true)));
    }

    private static Decision addUser(Limits limits, String namespace, List<Usage> others, Optional<Usage> before, Claim.AddUser addUser) {
        Usage current = before.orElse(new Usage(addUser.instance(), Set.of(), 0, false));
        if (current.users().contains(addUser.user())) {
            return new Decision(List.of(), before);
        }
        int users = users(others) + current.users().size() + 1;
        if (over(limits.users(), users, users - 1)) {
            return new Decision(List.of(new FieldError("name", "would give namespace '" + namespace + "' " + users
                    + " users across its instances; at most " + limits.users() + " (pgfleet.limits.namespace-users)")), before);
        }
        Set<String> withUser = new LinkedHashSet<>(current.users());
        withUser.add(addUser.user());
        return new Decision(List.of(), Optional.of(new Usage(addUser.instance(), withUser, current.databases(), current.provisioned())));
    }

    private static int users(List<Usage> usage) {
        return usage.stream().mapToInt(u -> u.users().size()).sum();
    }

    /** Whether a count goes over its bound by growing: a count kept or lowered is never refused. */
    private static boolean over(int limit, int count, int countBefore) {
        return limit > 0 && count > limit && count > countBefore;
    }
}
