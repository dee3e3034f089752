package io.pgfleet.provisioner.job;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import io.pgfleet.clusters.ClusterDriver;
import jakarta.inject.Singleton;

/**
 * Lets the driver start, when the provisioner starts, what it does ahead of provisions (the local driver's warm pool);
 * only the provisioner does: the other services look at instances, they never make them.
 */
@Singleton
public class DriverPreparation implements ApplicationEventListener<StartupEvent> {

    private final ClusterDriver driver;

    public DriverPreparation(ClusterDriver driver) {
        this.driver = driver;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        driver.prepare();
    }
}
