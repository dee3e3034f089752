package io.pgfleet.backup.http;

import io.pgfleet.events.InstanceKey;
import io.pgfleet.events.fleet.InstanceState;
import io.pgfleet.backup.catalog.BackupConfigRepository;
import io.pgfleet.runtime.fleet.FleetStatePart;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The backup-worker's part of the fleet state: schedule, the newest successful backup, the recovery window's start and the
 * restore drills (the newest's outcome, the newest successful one's end and restore seconds).
 */
@Singleton
public class BackupFleetPart implements FleetStatePart {

    private final BackupConfigRepository configs;
    private final BackupController views;

    public BackupFleetPart(BackupConfigRepository configs, BackupController views) {
        this.configs = configs;
        this.views = views;
    }

    @Override
    public Optional<InstanceState> part(InstanceKey key) {
        return views.view(key).map(view -> new InstanceState(key.toString(), null, null, null, null, null, null, null, null, null,
                new InstanceState.BackupState(view.enabled(), view.schedule(), view.lastBackup() == null ? null : view.lastBackup().id(),
                        view.lastBackup() == null ? null : view.lastBackup().finishedAt(),
                        view.walArchive() == null ? null : view.walArchive().recoverableFrom(),
                        view.lastDrill() == null ? null : view.lastDrill().status(),
                        view.lastVerified() == null ? null : view.lastVerified().finishedAt(),
                        view.lastVerified() == null ? null : view.lastVerified().restoreSeconds()), null, null));
    }

    @Override
    public List<InstanceKey> instances() {
        return StreamSupport.stream(configs.findAll().spliterator(), false).map(row -> InstanceKey.of(row.instance())).toList();
    }
}
