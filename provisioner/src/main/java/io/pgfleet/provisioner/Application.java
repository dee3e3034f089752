package io.pgfleet.provisioner;

import io.micronaut.runtime.Micronaut;

/** The provisioner: owns the clusters themselves (members, storage, parameters, quorum, endpoint, superuser). */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
