package io.pgfleet.usermanager;

import io.micronaut.runtime.Micronaut;

/** The user-manager: owns roles, passwords, databases, memberships, privileges and extensions. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
