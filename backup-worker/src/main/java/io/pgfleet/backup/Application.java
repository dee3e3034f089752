package io.pgfleet.backup;

import io.micronaut.runtime.Micronaut;

/** The backup-worker: restic backups of the instances to S3, on schedule and on demand, retention, restore and the catalog. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
