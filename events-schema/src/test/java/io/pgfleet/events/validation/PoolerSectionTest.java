package io.pgfleet.events.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfleet.events.json.Parsed;
import io.pgfleet.events.json.PayloadReader;
import io.pgfleet.events.postgres.Pooler;
import io.pgfleet.events.postgres.Postgres;
import org.junit.jupiter.api.Test;

/** The {@code pooler} section pgfleet adds to the API: taken whole when it is right, its defaults when it is absent. */
class PoolerSectionTest {

    private static final CommandValidator VALIDATOR = new CommandValidator(ValidationPolicy.defaults());

    private static Postgres read(String spec) {
        Parsed<Postgres> parsed = PayloadReader.fromText("apiVersion: apps.cozystack.io/v1alpha1\nkind: Postgres\nmetadata:\n  name: shop\nspec:\n"
                + spec.indent(2), Postgres.class);
        assertThat(parsed.errors()).isEmpty();
        assertThat(VALIDATOR.validate(parsed.value())).isEmpty();
        return parsed.value();
    }

    @Test
    void everyFieldIsTaken() {
        Postgres doc = read("replicas: 3\npostgresql:\n  parameters:\n    max_connections: 50\npooler:\n  enabled: true\n  mode: transaction\n"
                + "  maxClientConnections: 500\n  defaultPoolSize: 49\n  readOnly: true");
        assertThat(doc.spec().effective().pooler()).isEqualTo(new Pooler(true, "transaction", 500, 49, true));
    }

    @Test
    void anAbsentSectionOrAnEmptyOneIsNoPoolerAndAnEnabledOneHasTheDocumentedDefaults() {
        assertThat(read("replicas: 1").spec().effective().pooler().enabled()).isFalse();
        assertThat(read("pooler: {}").spec().effective().pooler().enabled()).isFalse();
        assertThat(read("pooler:\n  enabled: true").spec().effective().pooler()).isEqualTo(new Pooler(true, "session", 1000, 20, false));
    }
}
