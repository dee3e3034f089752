package io.pgfleet.provisioner;

import io.micronaut.runtime.server.EmbeddedServer;
import io.pgfleet.clusters.ClusterDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** Test classes that share one running provisioner on the local driver; what they track is deleted after. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunningProvisionerIT {

    protected ProvisionerFixture fixture;
    protected EmbeddedServer provisioner;
    protected ClusterDriver driver;

    @BeforeAll
    void startProvisioner() {
        fixture = new ProvisionerFixture();
        provisioner = fixture.startProvisioner();
        driver = fixture.driver();
    }

    @AfterAll
    void stopProvisioner() {
        fixture.close();
    }
}
