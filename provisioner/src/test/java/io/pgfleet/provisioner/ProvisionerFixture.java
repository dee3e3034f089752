package io.pgfleet.provisioner;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.testkit.ServiceFixture;
import java.util.HashMap;
import java.util.Map;

/** The testkit's service fixture for the provisioner, with a quick health monitor. */
public final class ProvisionerFixture extends ServiceFixture {

    public ProvisionerFixture() {
        super("provisioner");
    }

    /** On a broker of the test's own. */
    public ProvisionerFixture(io.pgfleet.servers.KafkaBroker kafka) {
        super("provisioner", kafka);
    }

    @Override
    public Map<String, Object> properties() {
        Map<String, Object> properties = new HashMap<>(super.properties());
        properties.put("pgfleet.provisioner.health-interval", "1s");
        return properties;
    }

    /** Starts a provisioner (with its HTTP server). */
    public EmbeddedServer startProvisioner() {
        return start();
    }

    /** Starts a provisioner with some settings changed. */
    public EmbeddedServer startProvisioner(Map<String, Object> overrides) {
        return start(overrides);
    }
}
