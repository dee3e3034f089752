package io.pgfleet.runtime.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.runtime.command.QuotaPlan.Claim;
import io.pgfleet.runtime.command.QuotaPlan.Decision;
import io.pgfleet.runtime.command.QuotaPlan.Limits;
import io.pgfleet.runtime.command.QuotaPlan.Usage;
import io.pgfleet.events.status.FieldError;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuotaPlanTest {

    private static final Limits LIMITS = new Limits(2, 3, 4);

    private static Usage usage(String instance, int databases, String... users) {
        return new Usage(instance, Set.of(users), databases, true);
    }

    @Test
    void aNewInstanceBeyondTheNamespacesInstancesIsRefusedNamingTheLimit() {
        Decision decision = QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 0), usage("b", 0)), new Claim.Provision("c", Set.of(), 0));

        assertThat(decision.admitted()).isFalse();
        assertThat(decision.errors()).extracting(FieldError::path).containsExactly("metadata.name");
        assertThat(decision.errors().get(0).message()).contains("'acme' has 2 instances", "pgfleet.limits.namespace-instances", "(2)");
    }

    @Test
    void anUpdateOfAnInstanceAlreadyCountedIsNotANewInstance() {
        Decision decision = QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 0), usage("b", 0)), new Claim.Provision("b", Set.of("u"), 1));

        assertThat(decision.admitted()).isTrue();
        assertThat(decision.after()).contains(new Usage("b", Set.of("u"), 1, true));
    }

    @Test
    void usersAndDatabasesAreCountedAcrossTheNamespacesInstances() {
        Decision decision = QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 3, "x", "y")), new Claim.Provision("b", Set.of("p", "q"), 2));

        assertThat(decision.errors()).extracting(FieldError::path).containsExactly("spec.users", "spec.databases");
        assertThat(decision.errors().get(0).message()).contains("4 users", "(2 here)", "at most 3");
        assertThat(decision.errors().get(1).message()).contains("5 databases", "at most 4");
    }

    @Test
    void aNamespaceAlreadyOverALoweredLimitMayKeepOrShrinkButNotGrow() {
        List<Usage> over = List.of(usage("a", 6, "u1", "u2", "u3", "u4"));

        assertThat(QuotaPlan.decide(LIMITS, "acme", over, new Claim.Provision("a", Set.of("u1", "u2", "u3", "u4"), 6)).admitted()).isTrue();
        assertThat(QuotaPlan.decide(LIMITS, "acme", over, new Claim.Provision("a", Set.of("u1"), 5)).admitted()).isTrue();
        assertThat(QuotaPlan.decide(LIMITS, "acme", over, new Claim.Provision("a", Set.of("u1", "u2", "u3", "u4", "u5"), 6)).admitted()).isFalse();
        assertThat(QuotaPlan.decide(LIMITS, "acme", over, new Claim.AddUser("a", "u9")).admitted()).isFalse();
    }

    @Test
    void anAddUserCountsOneMoreUserOnlyWhenTheInstanceHasNotGotIt() {
        List<Usage> usage = List.of(usage("a", 0, "x", "y", "z"));

        assertThat(QuotaPlan.decide(LIMITS, "acme", usage, new Claim.AddUser("a", "y")).admitted()).isTrue();
        Decision more = QuotaPlan.decide(LIMITS, "acme", usage, new Claim.AddUser("a", "w"));
        assertThat(more.errors()).extracting(FieldError::path).containsExactly("name");
        assertThat(more.errors().get(0).message()).contains("4 users", "pgfleet.limits.namespace-users");
    }

    @Test
    void usersAddedToAnInstanceNobodyProvisionedCountAsUsersButNeverAsAnInstance() {
        Decision added = QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 0), usage("b", 0)), new Claim.AddUser("c", "u"));
        assertThat(added.admitted()).isTrue();
        assertThat(added.after()).contains(new Usage("c", Set.of("u"), 0, false));

        // an add-user first does not make room for a third instance
        Decision provision = QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 0), usage("b", 0), added.after().orElseThrow()),
                new Claim.Provision("c", Set.of("u"), 0));
        assertThat(provision.errors()).extracting(FieldError::path).containsExactly("metadata.name");
    }

    @Test
    void aDeleteGivesBackWhatTheInstanceHeldAndNoBoundMeansNoRefusal() {
        assertThat(QuotaPlan.decide(LIMITS, "acme", List.of(usage("a", 4, "x")), new Claim.Release("a")))
                .isEqualTo(new Decision(List.of(), java.util.Optional.empty()));
        assertThat(QuotaPlan.decide(Limits.NONE, "acme", List.of(usage("a", 0), usage("b", 0), usage("c", 0)),
                new Claim.Provision("d", Set.of("u1", "u2", "u3", "u4"), 99)).admitted()).isTrue();
    }
}
